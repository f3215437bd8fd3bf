import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import {
  applyMigrations,
  initialiseFromTemplate,
  readMigrations,
  type SqlSession,
} from '@fitnexa/shared/db';
import { quietLogger } from '@fitnexa/shared/testing';
import { describeSchema } from './catalog';
import { diffDatamodels } from './prisma-diff';

async function inPglite<T>(schema: string, fn: (sql: SqlSession) => Promise<T>): Promise<T> {
  // A copy of the empty template database rather than PGlite's initdb, seconds of CPU each (0032).
  const dataDir = await mkdtemp(join(tmpdir(), 'fitnexa-migration-check-'));
  await initialiseFromTemplate(dataDir);
  const pglite = await PGlite.create(dataDir);
  try {
    await pglite.exec(`CREATE SCHEMA ${schema}; SET search_path TO ${schema}`);
    return await fn({
      query: async <Row>(text: string, params?: unknown[]) =>
        (await pglite.query<Row>(text, params)).rows,
      exec: async (script) => {
        await pglite.exec(script);
      },
    });
  } finally {
    await pglite.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** The schema the committed migrations build, described table by table. */
export const schemaFromMigrations = (schema: string, migrationsDir: string) =>
  inPglite(schema, async (sql) => {
    await applyMigrations(sql, schema, await readMigrations(migrationsDir), quietLogger());
    return describeSchema(sql, schema);
  });

/** The schema a datamodel describes, built fresh from an empty database. */
export const schemaFromDatamodel = (schema: string, datamodel: string) =>
  inPglite(schema, async (sql) => {
    await sql.exec(diffDatamodels(null, datamodel));
    return describeSchema(sql, schema);
  });
