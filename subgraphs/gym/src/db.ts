import { join } from 'node:path';
import { openPrismaDatabase, QUERY_EVENTS, type DatabaseLocation } from '@fitnexa/shared/db';
import { PrismaClient, type Prisma } from './generated/prisma/client';

export type GymPrisma = PrismaClient;
/** gym's Prisma client inside a transaction: what event handlers and repository steps of one run on. */
export type GymTransaction = Prisma.TransactionClient;

export const migrationsDir = join(__dirname, '..', 'prisma', 'migrations');

/** Opens gym's own database (migrated) and the only Prisma client on it. */
export function openGymDatabase(location: DatabaseLocation) {
  return openPrismaDatabase({
    service: 'gym',
    migrationsDir,
    ...location,
    createClient: (adapter) => new PrismaClient({ adapter, log: [...QUERY_EVENTS] }),
  });
}
