import { join } from 'node:path';
import { openPrismaDatabase, QUERY_EVENTS, type DatabaseLocation } from '@fitnexa/shared/db';
import { PrismaClient } from './generated/prisma/client';

export type MessagingPrisma = PrismaClient;

export const migrationsDir = join(__dirname, '..', 'prisma', 'migrations');

/** Opens messaging's own database (migrated) and the only Prisma client on it. */
export function openMessagingDatabase(location: DatabaseLocation) {
  return openPrismaDatabase({
    service: 'messaging',
    migrationsDir,
    ...location,
    createClient: (adapter) => new PrismaClient({ adapter, log: [...QUERY_EVENTS] }),
  });
}
