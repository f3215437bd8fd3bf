import { runService } from '@fitnexa/shared/subgraph';
import { loadSquadConfig } from './config';
import { startSquad } from './server';

runService('squad', loadSquadConfig(), startSquad);
