import { runService } from '@fitnexa/shared/server';
import { loadSquadConfig } from './config';
import { startSquad } from './server';

runService('squad', loadSquadConfig(), startSquad);
