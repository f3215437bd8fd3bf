import { join } from 'node:path';
import { openPrismaDatabase, QUERY_EVENTS, type DatabaseLocation } from '@fitnexa/shared/db';
import { PrismaClient } from './generated/prisma/client';

export type WorkoutPrisma = PrismaClient;

export const migrationsDir = join(__dirname, '..', 'prisma', 'migrations');

/** Opens workout's own database (migrated) and the only Prisma client on it. */
export function openWorkoutDatabase(location: DatabaseLocation) {
  return openPrismaDatabase({
    service: 'workout',
    migrationsDir,
    ...location,
    createClient: (adapter) => new PrismaClient({ adapter, log: [...QUERY_EVENTS] }),
  });
}
