import type { SqlDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import {
  openServiceDatabase,
  type ServiceDatabase,
  type ServiceDatabaseOptions,
} from './service-database';

/** What the service's generated PrismaClient offers that opening and closing it needs. */
export interface QueryLoggingClient {
  $on(event: 'query', listener: (event: { query: string; duration: number }) => void): void;
  $disconnect(): Promise<void>;
}

/** Prisma's log option that makes every statement an event, for `openPrismaDatabase` to log. */
export const QUERY_EVENTS = [{ emit: 'event', level: 'query' }] as const;

export interface PrismaDatabase<Client> {
  db: ServiceDatabase;
  prisma: Client;
  /** Disconnects Prisma, then closes the pool or the embedded database. */
  close(): Promise<void>;
}

// What a generated client (prisma-client, PostgreSQL) import()s at its first query: its query
// compiler, 4.5 MB of base64 wasm. Under tsx that import waits on the loader's thread, about half a
// second with nothing else to do; asked for here, it loads while the database opens and migrates.
const QUERY_COMPILER = [
  '@prisma/client/runtime/query_compiler_fast_bg.postgresql.js',
  '@prisma/client/runtime/query_compiler_fast_bg.postgresql.wasm-base64.js',
];
let compilerRequested = false;

function preloadQueryCompiler() {
  if (compilerRequested) return;
  compilerRequested = true;
  // The client's own import() finds them loaded; if these paths ever change, it loads its own.
  for (const specifier of QUERY_COMPILER) void import(specifier).catch(() => undefined);
}

/**
 * Opens a service's own database (migrated, see openServiceDatabase) and the only Prisma client
 * on it. Every statement is logged at debug level as `sql`, so what a request costs in SQL is
 * visible in the logs and countable in tests.
 */
export async function openPrismaDatabase<Client extends QueryLoggingClient>(
  options: ServiceDatabaseOptions & { createClient(adapter: SqlDriverAdapterFactory): Client },
): Promise<PrismaDatabase<Client>> {
  preloadQueryCompiler();
  const db = await openServiceDatabase(options);
  const prisma = options.createClient(db.adapter);
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
