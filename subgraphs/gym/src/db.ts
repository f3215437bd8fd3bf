import { join } from 'node:path';
import { openPrismaDatabase, QUERY_EVENTS, type DatabaseLocation } from '@fitnexa/shared/db';
import { PrismaClient } from './generated/prisma/client';

export type GymPrisma = PrismaClient;

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
