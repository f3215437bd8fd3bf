export { startSquad, typeDefs, type SquadOptions, type SquadServer } from './server';
export { loadSquadConfig, type SquadConfig } from './config';
export { migrationsDir } from './db';
export { DEMO_SQUAD_ID } from './seed';
