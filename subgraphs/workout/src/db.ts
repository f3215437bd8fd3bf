import { join } from 'node:path';
import { openPrismaDatabase, QUERY_EVENTS, type DatabaseLocation } from '@fitnexa/shared/db';
import { PrismaClient, type Prisma } from './generated/prisma/client';

export type WorkoutPrisma = PrismaClient;
/** workout's Prisma client inside a transaction: what event handlers and repository steps of one run on. */
export type WorkoutTransaction = Prisma.TransactionClient;

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
