import { runMigrations } from '@fitnexa/shared/subgraph';
import { loadGymConfig } from './config';
import { migrationsDir } from './db';

runMigrations('gym', migrationsDir, loadGymConfig());
