import { join } from 'node:path';
import { openPrismaDatabase, QUERY_EVENTS, type DatabaseLocation } from '@fitnexa/shared/db';
import { PrismaClient, type Prisma } from './generated/prisma/client';

export type MessagingPrisma = PrismaClient;

/** messaging's Prisma client inside a transaction: what event handlers and `tx` methods work on. */
export type MessagingTx = Prisma.TransactionClient;

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
