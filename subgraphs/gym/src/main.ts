import { runService } from '@fitnexa/shared/server';
import { loadGymConfig } from './config';
import { startGym } from './server';

runService('gym', loadGymConfig(), startGym);
