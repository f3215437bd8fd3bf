export { startGym, typeDefs, type GymOptions, type GymServer } from './server';
export { loadGymConfig, type GymConfig } from './config';
export { migrationsDir } from './db';
