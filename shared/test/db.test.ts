import { join } from 'node:path';
import {
  ensurePgliteTemplate,
  openServiceDatabase,
  withConnection,
  MigrationError,
} from '../src/db';
import { dropServiceSchema, quietLogger, testDatabaseUrl, uniqueName } from '../src/testing';
import { existsSync, mkdtempSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';

const url = testDatabaseUrl();
const logger = quietLogger();

function migrationsFolder(migrations: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'fitnexa-migrations-'));
  for (const [name, sql] of Object.entries(migrations)) {
    mkdirSync(join(dir, name));
    writeFileSync(join(dir, name, 'migration.sql'), sql);
  }
  return dir;
}

describe('a service database on the real PostgreSQL', () => {
  const schemas: string[] = [];
  afterAll(async () => {
    // One at a time: concurrent DROP ROLE statements trip over the shared catalog.
    for (const schema of new Set(schemas)) await dropServiceSchema(url, schema);
  });

  async function open(migrationsDir: string, schema = uniqueName('fitnexa_svc'), migrate = true) {
    schemas.push(schema);
    return openServiceDatabase({
      service: 'svc',
      schema,
      url,
      dataDir: 'memory://',
      migrationsDir,
      migrate,
      logger,
    });
  }

  it("when two services are provisioned, then one's role cannot read the other's schema", async () => {
    const migrations = migrationsFolder({
      '20260101000000_init': 'CREATE TABLE "Secret" (id int primary key, value text);',
    });
    const identity = await open(migrations);
    const gym = await open(migrations);
    try {
      await gym.sql.exec(`INSERT INTO "Secret" VALUES (1, 'gym only')`);
      await expect(identity.sql.query(`SELECT * FROM ${gym.schema}."Secret"`)).rejects.toThrow(
        /permission denied/,
      );
      await expect(
        identity.sql.exec(`CREATE TABLE ${gym.schema}."Intruder" (id int)`),
      ).rejects.toThrow(/permission denied/);
      expect(await gym.sql.query('SELECT value FROM "Secret"')).toEqual([{ value: 'gym only' }]);
      const [{ current_user }] = await identity.sql.query<{ current_user: string }>(
        'SELECT current_user',
      );
      expect(current_user).toBe(identity.schema);
    } finally {
      await identity.close();
      await gym.close();
    }
  });

  it('when migrations are applied twice, then the second time changes nothing and both are recorded as Prisma does', async () => {
    const migrations = migrationsFolder({
      '20260101000000_init': 'CREATE TABLE "Item" (id int primary key);',
      '20260102000000_name': 'ALTER TABLE "Item" ADD COLUMN name text;',
    });
    const schema = uniqueName('fitnexa_svc');
    await (await open(migrations, schema)).close();
    const again = await open(migrations, schema);
    try {
      const rows = await again.sql.query<{
        migration_name: string;
        checksum: string;
        finished_at: Date | null;
      }>(
        'SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" ORDER BY migration_name',
      );
      expect(rows.map((row) => row.migration_name)).toEqual([
        '20260101000000_init',
        '20260102000000_name',
      ]);
      expect(rows.every((row) => /^[0-9a-f]{64}$/.test(row.checksum) && row.finished_at)).toBe(
        true,
      );
    } finally {
      await again.close();
    }
  });

  it('when a service does not migrate at start, then it refuses a database with pending migrations and opens it once they are applied', async () => {
    const schema = uniqueName('fitnexa_svc');
    const first = { '20260101000000_init': 'CREATE TABLE "Item" (id int primary key);' };
    const both = migrationsFolder({
      ...first,
      '20260102000000_name': 'ALTER TABLE "Item" ADD COLUMN name text;',
    });
    await (await open(migrationsFolder(first), schema)).close();

    await expect(open(both, schema, false)).rejects.toThrow(
      /1 migration\(s\) of fitnexa_svc\S* not applied \(20260102000000_name\)/,
    );

    await (await open(both, schema)).close();
    const service = await open(both, schema, false);
    try {
      await service.sql.exec(`INSERT INTO "Item" (id, name) VALUES (1, 'applied by the job')`);
      expect(await service.sql.query('SELECT name FROM "Item"')).toEqual([
        { name: 'applied by the job' },
      ]);
    } finally {
      await service.close();
    }
  });

  it('when an applied migration file is edited, then opening the database refuses to go on', async () => {
    const schema = uniqueName('fitnexa_svc');
    await (
      await open(migrationsFolder({ '20260101000000_init': 'CREATE TABLE "A" (id int);' }), schema)
    ).close();
    await expect(
      open(migrationsFolder({ '20260101000000_init': 'CREATE TABLE "A" (id bigint);' }), schema),
    ).rejects.toThrow(MigrationError);
  });

  it('when a migration fails, then nothing of it is left behind and it is not recorded', async () => {
    const schema = uniqueName('fitnexa_svc');
    await expect(
      open(
        migrationsFolder({
          '20260101000000_bad': 'CREATE TABLE "B" (id int); SELECT no_such_function();',
        }),
        schema,
      ),
    ).rejects.toThrow(/20260101000000_bad failed/);
    await withConnection(url, async (client) => {
      const tables = await client.query(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = $1`,
        [schema],
      );
      expect(tables.rows.map((row) => row.table_name)).toEqual(['_prisma_migrations']);
    });
  });
});

describe('service databases in one embedded PGlite', () => {
  const init = { '20260101000000_init': 'CREATE TABLE "Item" (id int primary key, owner text);' };
  // One data directory for the block (each test with services of its own): creating the database
  // (initdb) is the slow part, seconds of CPU, more on a loaded machine.
  const INITDB_TIMEOUT_MS = 120_000;
  let dataDir: string;
  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'fitnexa-pglite-'));
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  function openIn(dataDir: string, service: string) {
    return openServiceDatabase({
      service,
      dataDir,
      migrationsDir: migrationsFolder(init),
      logger,
    });
  }

  it(
    "when two services open the same data directory, then each one's SQL lands in its own schema and its role cannot reach the other's",
    async () => {
      const [identity, gym] = await Promise.all([
        openIn(dataDir, 'identity'),
        openIn(dataDir, 'gym'),
      ]);
      try {
        // Interleaved: every statement of one service may follow one of the other.
        await Promise.all([
          ...[1, 2, 3].map((id) =>
            identity.sql.exec(`INSERT INTO "Item" VALUES (${id}, 'identity')`),
          ),
          ...[1, 2].map((id) => gym.sql.exec(`INSERT INTO "Item" VALUES (${id}, 'gym')`)),
        ]);
        expect(await identity.sql.query('SELECT DISTINCT owner FROM "Item"')).toEqual([
          { owner: 'identity' },
        ]);
        expect(await gym.sql.query('SELECT count(*)::int AS n FROM "Item"')).toEqual([{ n: 2 }]);
        await expect(identity.sql.query('SELECT * FROM fitnexa_gym."Item"')).rejects.toThrow(
          /permission denied/,
        );
        const [{ current_user }] = await gym.sql.query<{ current_user: string }>(
          'SELECT current_user',
        );
        expect(current_user).toBe('fitnexa_gym');
      } finally {
        await identity.close();
        await gym.close();
      }
      // Both schemas live in the one database under the directory, and outlast the process's use.
      const again = await openIn(dataDir, 'gym');
      try {
        expect(await again.sql.query('SELECT count(*)::int AS n FROM "Item"')).toEqual([{ n: 2 }]);
        expect(readdirSync(join(dataDir, 'pglite'))).toEqual(['services']);
      } finally {
        await again.close();
      }
    },
    INITDB_TIMEOUT_MS,
  );

  it(
    'when a data directory is new, then its database is a copy of the template, commits do not wait for the disk and its shared buffers are small',
    async () => {
      const newDataDir = mkdtempSync(join(tmpdir(), 'fitnexa-pglite-'));
      try {
        const db = await openIn(newDataDir, 'messaging');
        try {
          expect(await db.sql.query('SHOW synchronous_commit')).toEqual([
            { synchronous_commit: 'off' },
          ]);
          expect(await db.sql.query('SHOW shared_buffers')).toEqual([{ shared_buffers: '16MB' }]);
        } finally {
          await db.close();
        }
        expect(existsSync(join(await ensurePgliteTemplate(), 'PG_VERSION'))).toBe(true);
        // Copied aside and renamed into place: nothing else is left beside it.
        expect(readdirSync(join(newDataDir, 'pglite'))).toEqual(['services']);
      } finally {
        rmSync(newDataDir, { recursive: true, force: true });
      }
    },
    INITDB_TIMEOUT_MS,
  );

  it(
    'when the template is made in a new place, then it is an initialised data directory with nothing left beside it',
    async () => {
      const parent = mkdtempSync(join(tmpdir(), 'fitnexa-pglite-template-'));
      try {
        const template = join(parent, 'template');
        expect(await ensurePgliteTemplate(template)).toBe(template);
        expect(existsSync(join(template, 'PG_VERSION'))).toBe(true);
        expect(readdirSync(parent)).toEqual(['template']);
        // Once made, it is kept.
        expect(await ensurePgliteTemplate(template)).toBe(template);
      } finally {
        rmSync(parent, { recursive: true, force: true });
      }
    },
    INITDB_TIMEOUT_MS,
  );

  it(
    "when one service's Prisma transaction runs while another service queries, then each stays in its own schema",
    async () => {
      const [identity, gym] = await Promise.all([
        openIn(dataDir, 'workout'),
        openIn(dataDir, 'squad'),
      ]);
      try {
        const adapter = await gym.adapter.connect();
        const transaction = await adapter.startTransaction();
        const insertDuringTransaction = transaction.executeRaw({
          sql: `INSERT INTO "Item" VALUES (7, 'gym')`,
          args: [],
          argTypes: [],
        });
        const identityRows = identity.sql.query('SELECT count(*)::int AS n FROM "Item"');
        await insertDuringTransaction;
        await transaction.rollback();
        expect(await identityRows).toEqual([{ n: 0 }]);
        expect(await gym.sql.query('SELECT count(*)::int AS n FROM "Item"')).toEqual([{ n: 0 }]);
        await gym.sql.exec(`INSERT INTO "Item" VALUES (8, 'gym')`);
        expect(await identity.sql.query('SELECT count(*)::int AS n FROM "Item"')).toEqual([
          { n: 0 },
        ]);
      } finally {
        await identity.close();
        await gym.close();
      }
    },
    INITDB_TIMEOUT_MS,
  );
});
