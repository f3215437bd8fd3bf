import { runMigrations } from '@fitnexa/shared/subgraph';
import { loadSquadConfig } from './config';
import { migrationsDir } from './db';

runMigrations('squad', migrationsDir, loadSquadConfig());
