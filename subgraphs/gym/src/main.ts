import { runService } from '@fitnexa/shared/subgraph';
import { loadGymConfig } from './config';
import { startGym } from './server';

runService('gym', loadGymConfig(), startGym);
