import type { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import type { SqlDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import type { Logger } from '../logger/types';
import { applyMigrations, MigrationError, pendingMigrations, readMigrations } from './migrations';
import { pgSession, provisionServiceRole, urlForRole, userOf } from './postgres';
import { leaseSharedPglite, type PgliteSession } from './shared-pglite';
import { assertIdentifier, type SqlSession } from './sql';

export interface ServiceDatabaseOptions {
  /** The service's name; its schema and role default to `fitnexa_<service>`. */
  service: string;
  schema?: string;
  role?: string;
  /** A PostgreSQL URL. Its user either is the service's role, or may create it (see provisionServiceRole). */
  url?: string;
  rolePassword?: string;
  /**
   * Without `url`: where the embedded PGlite keeps its files (`memory://` keeps none); the
   * services of one process share the one in the same directory (see leaseSharedPglite).
   */
  dataDir: string;
  migrationsDir: string;
  /**
   * On PostgreSQL: provision the role and apply pending migrations (the default), or, when false,
   * only refuse a database that still has some pending (a migration job owns them). The embedded
   * PGlite always migrates: nothing else reaches it.
   */
  migrate?: boolean;
  logger: Logger;
  poolSize?: number;
}

/** How a service's entry point tells its database helper where the database is. */
export type DatabaseLocation = Omit<ServiceDatabaseOptions, 'service' | 'migrationsDir'>;

export interface ServiceDatabase {
  kind: 'postgres' | 'pglite';
  schema: string;
  /** The Prisma driver adapter: `new PrismaClient({ adapter: db.adapter })`. */
  adapter: SqlDriverAdapterFactory;
  /** Plain SQL on the service's own schema (health checks, tests). */
  sql: SqlSession;
  ping(): Promise<void>;
  /** Closes the pool or the embedded database; call after `prisma.$disconnect()`. */
  close(): Promise<void>;
}

/**
 * Opens a service's own database, ready for Prisma: on a PostgreSQL server (provisioning its role
 * and schema when allowed to) or, with no URL, on an embedded PGlite. Pending migrations are
 * applied either way.
 */
export async function openServiceDatabase(
  options: ServiceDatabaseOptions,
): Promise<ServiceDatabase> {
  const schema = assertIdentifier(options.schema ?? `fitnexa_${options.service}`, 'schema');
  const migrations = await readMigrations(options.migrationsDir);
  return options.url
    ? openPostgres(options, schema, options.url, migrations)
    : openPglite(options, schema, migrations);
}

async function openPostgres(
  options: ServiceDatabaseOptions,
  schema: string,
  url: string,
  migrations: Awaited<ReturnType<typeof readMigrations>>,
): Promise<ServiceDatabase> {
  const role = assertIdentifier(options.role ?? schema, 'role');
  const migrate = options.migrate ?? true;
  let serviceUrl = url;
  if (userOf(url) !== role) {
    const password = options.rolePassword ?? role;
    if (migrate) await provisionServiceRole(url, { schema, role, password });
    serviceUrl = urlForRole(url, role, password);
  }
  const pool = new pg.Pool({
    connectionString: serviceUrl,
    max: options.poolSize ?? 10,
    // Raw SQL lands in the service's schema too, not in `public`.
    options: `-c search_path=${schema}`,
  });
  pool.on('error', (error) =>
    options.logger.warn('idle database connection failed', { error: error.message }),
  );
  try {
    const client = await pool.connect();
    try {
      if (migrate) {
        await applyMigrations(pgSession(client), schema, migrations, options.logger);
      } else {
        const pending = await pendingMigrations(pgSession(client), schema, migrations);
        if (pending.length > 0)
          throw new MigrationError(
            `${pending.length} migration(s) of ${schema} not applied (${pending.join(', ')}): run the migration command first`,
          );
      }
    } finally {
      client.release();
    }
  } catch (error) {
    await pool.end();
    throw error;
  }
  return {
    kind: 'postgres',
    schema,
    adapter: new PrismaPg(pool, { schema }),
    sql: {
      query: async <Row>(sql: string, params?: unknown[]) =>
        (await pool.query(sql, params)).rows as Row[],
      exec: async (script) => {
        await pool.query(script);
      },
    },
    ping: async () => {
      await pool.query('SELECT 1');
    },
    close: () => pool.end(),
  };
}

async function openPglite(
  options: ServiceDatabaseOptions,
  schema: string,
  migrations: Awaited<ReturnType<typeof readMigrations>>,
): Promise<ServiceDatabase> {
  const role = assertIdentifier(options.role ?? schema, 'role');
  const lease = await leaseSharedPglite(options.dataDir, { schema, role });
  try {
    await lease.exclusive((session) =>
      applyMigrations(session, schema, migrations, options.logger),
    );
  } catch (error) {
    await lease.close();
    throw error;
  }
  return {
    kind: 'pglite',
    schema,
    adapter: pgliteAdapterFor(lease.session, schema),
    sql: lease.sql,
    ping: async () => {
      await lease.sql.query('SELECT 1');
    },
    close: () => lease.close(),
  };
}

// Prisma qualifies every table with the adapter's schema, and PGlite's adapter reports none
// (so "public"); report the service's schema as PrismaPg does.
function pgliteAdapterFor(session: PgliteSession, schema: string): SqlDriverAdapterFactory {
  // The adapter calls nothing of PGlite but the session's query, exec and transaction.
  const factory = new PrismaPGlite(session as PGlite);
  const connect = factory.connect.bind(factory);
  factory.connect = async () => {
    const adapter = await connect();
    const info = adapter.getConnectionInfo?.bind(adapter);
    adapter.getConnectionInfo = () => ({
      ...(info?.() ?? { supportsRelationJoins: true }),
      schemaName: schema,
    });
    return adapter;
  };
  return factory;
}
