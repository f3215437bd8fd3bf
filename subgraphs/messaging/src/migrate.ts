import { runMigrations } from '@fitnexa/shared/subgraph';
import { loadMessagingConfig } from './config';
import { migrationsDir } from './db';

runMigrations('messaging', migrationsDir, loadMessagingConfig());
