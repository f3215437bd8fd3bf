import { runMigrations } from '@fitnexa/shared/subgraph';
import { loadIdentityConfig } from './config';
import { migrationsDir } from './db';

runMigrations('identity', migrationsDir, loadIdentityConfig());
