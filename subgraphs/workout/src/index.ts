export { startWorkout, type WorkoutOptions, type WorkoutServer } from './server';
export { loadWorkoutConfig, type WorkoutConfig } from './config';
export { migrationsDir } from './db';
