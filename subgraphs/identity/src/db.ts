import { join } from 'node:path';
import { openServiceDatabase, type ServiceDatabase } from '@fitnexa/shared/db';
import type { Logger } from '@fitnexa/shared/logger';
import { PrismaClient } from './generated/prisma/client';

export type IdentityPrisma = PrismaClient;

export const migrationsDir = join(__dirname, '..', 'prisma', 'migrations');

export interface IdentityDatabaseOptions {
  url?: string;
  rolePassword?: string;
  dataDir: string;
  schema?: string;
  logger: Logger;
}

export async function openIdentityDatabase(options: IdentityDatabaseOptions) {
  const db: ServiceDatabase = await openServiceDatabase({
    service: 'identity',
    migrationsDir,
    ...options,
  });
  const prisma = new PrismaClient({
    adapter: db.adapter,
    log: [{ emit: 'event', level: 'query' }],
  });
  // Every statement at debug level: what a request costs in SQL is visible (and countable in tests).
  prisma.$on('query', (event) =>
    options.logger.debug('sql', { query: event.query, durationMs: event.duration }),
  );
  return {
    db,
    prisma,
    close: async () => {
      await prisma.$disconnect();
      await db.close();
    },
  };
}
