import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { applyMigrations, readMigrations, type SqlSession } from '@fitnexa/shared/db';
import { quietLogger } from '@fitnexa/shared/testing';
import { describeSchema } from '../../../scripts/lib/catalog';
import { diffDatamodels, readSchema } from '../../../scripts/lib/prisma-diff';
import { migrationsDir } from '../src/db';

const schemaPath = join(__dirname, '..', 'prisma', 'schema.prisma');

async function inPglite<T>(fn: (sql: SqlSession) => Promise<T>): Promise<T> {
  const pglite = await PGlite.create();
  try {
    await pglite.exec('CREATE SCHEMA fitnexa_identity; SET search_path TO fitnexa_identity');
    return await fn({
      query: async <Row>(text: string, params?: unknown[]) =>
        (await pglite.query<Row>(text, params)).rows,
      exec: async (script) => {
        await pglite.exec(script);
      },
    });
  } finally {
    await pglite.close();
  }
}

const migrated = () =>
  inPglite(async (sql) => {
    await applyMigrations(
      sql,
      'fitnexa_identity',
      await readMigrations(migrationsDir),
      quietLogger(),
    );
    return describeSchema(sql, 'fitnexa_identity');
  });

const builtFrom = (datamodel: string) =>
  inPglite(async (sql) => {
    await sql.exec(diffDatamodels(null, datamodel));
    return describeSchema(sql, 'fitnexa_identity');
  });

describe('identity migrations', () => {
  it('when every migration is applied, then the database matches schema.prisma (a change without a migration fails here)', async () => {
    const [fromMigrations, fromSchema] = await Promise.all([
      migrated(),
      builtFrom(readSchema(schemaPath)),
    ]);
    expect(fromMigrations.length).toBeGreaterThan(10);
    expect(fromMigrations).toEqual(fromSchema);
  }, 60_000);

  it('when schema.prisma gains a field that no migration adds, then the two databases differ', async () => {
    const changed = readSchema(schemaPath).replace(
      /model User \{/,
      'model User {\n  nickname String?',
    );
    const [fromMigrations, fromSchema] = await Promise.all([migrated(), builtFrom(changed)]);
    expect(fromSchema.filter((line) => !fromMigrations.includes(line))).toEqual([
      expect.stringMatching(/^column User nickname text YES/),
    ]);
  }, 60_000);
});
