import { createHash, randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../logger/types';
import { quoteIdent, type SqlSession } from './sql';
import { errorMessage } from '../errors';

export interface Migration {
  name: string;
  script: string;
  /** SHA-256 of the file, as `prisma migrate` records it. */
  checksum: string;
}

/** Reads Prisma's migration folders (`<timestamp>_<name>/migration.sql`) in order. */
export async function readMigrations(migrationsDir: string): Promise<Migration[]> {
  const entries = await readdir(migrationsDir, { withFileTypes: true });
  const names = entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  return Promise.all(
    names.map(async (name) => {
      const script = await readFile(join(migrationsDir, name, 'migration.sql'), 'utf8');
      return { name, script, checksum: createHash('sha256').update(script).digest('hex') };
    }),
  );
}

// The same table `prisma migrate deploy` keeps, so either tool can take over from the other.
const createHistoryTable = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id"                  VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum"            VARCHAR(64) NOT NULL,
  "finished_at"         TIMESTAMPTZ,
  "migration_name"      VARCHAR(255) NOT NULL,
  "logs"                TEXT,
  "rolled_back_at"      TIMESTAMPTZ,
  "started_at"          TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

// Prisma's own advisory lock key, so this runner and `prisma migrate` never run at once.
const MIGRATION_LOCK = 72707369;

export class MigrationError extends Error {}

/**
 * Applies the migrations not yet recorded in `schema`, each in its own transaction, and records
 * them in `_prisma_migrations`. Refuses to go on when an applied migration's file has changed or
 * an earlier attempt failed halfway, as `prisma migrate deploy` does.
 */
export async function applyMigrations(
  session: SqlSession,
  schema: string,
  migrations: Migration[],
  logger: Logger,
): Promise<string[]> {
  await session.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
  try {
    await session.exec(`SET search_path TO ${quoteIdent(schema)}; ${createHistoryTable}`);
    const applied = await session.query<{
      migration_name: string;
      checksum: string;
      finished_at: Date | null;
    }>(
      'SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" WHERE rolled_back_at IS NULL',
    );
    const byName = new Map(applied.map((row) => [row.migration_name, row]));
    const failed = applied.find((row) => row.finished_at === null);
    if (failed)
      throw new MigrationError(
        `Migration ${failed.migration_name} failed earlier; resolve it before migrating`,
      );

    const newlyApplied: string[] = [];
    for (const migration of migrations) {
      const record = byName.get(migration.name);
      if (record) {
        if (record.checksum !== migration.checksum) {
          throw new MigrationError(`Migration ${migration.name} was changed after it was applied`);
        }
        continue;
      }
      const id = randomUUID();
      await session.exec('BEGIN');
      try {
        await session.exec(migration.script);
        await session.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
           VALUES ($1, $2, $3, now(), now(), 1)`,
          [id, migration.checksum, migration.name],
        );
        await session.exec('COMMIT');
      } catch (error) {
        await session.exec('ROLLBACK');
        throw new MigrationError(`Migration ${migration.name} failed: ${errorMessage(error)}`);
      }
      logger.info('migration applied', { schema, migration: migration.name });
      newlyApplied.push(migration.name);
    }
    return newlyApplied;
  } finally {
    await session.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
  }
}

/**
 * The migrations not yet applied to `schema`, without applying any: what a service that does not
 * migrate at start checks before it serves (the migration job applies them).
 */
export async function pendingMigrations(
  session: SqlSession,
  schema: string,
  migrations: Migration[],
): Promise<string[]> {
  const [table] = await session.query<{ name: string | null }>('SELECT to_regclass($1) AS name', [
    `${quoteIdent(schema)}."_prisma_migrations"`,
  ]);
  if (!table?.name) return migrations.map((migration) => migration.name);
  const applied = await session.query<{ migration_name: string }>(
    `SELECT migration_name FROM ${quoteIdent(schema)}."_prisma_migrations"
     WHERE rolled_back_at IS NULL AND finished_at IS NOT NULL`,
  );
  const done = new Set(applied.map((row) => row.migration_name));
  return migrations.filter((migration) => !done.has(migration.name)).map((m) => m.name);
}
