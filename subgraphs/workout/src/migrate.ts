import { runMigrations } from '@fitnexa/shared/subgraph';
import { loadWorkoutConfig } from './config';
import { migrationsDir } from './db';

runMigrations('workout', migrationsDir, loadWorkoutConfig());
