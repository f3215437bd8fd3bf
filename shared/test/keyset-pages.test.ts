import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keysetPages, openServiceDatabase, type RawQueries, type ServiceDatabase } from '../src/db';
import { dropServiceSchema, quietLogger, testDatabaseUrl, uniqueName } from '../src/testing';

const url = testDatabaseUrl();
const ann = '00000000-0000-4000-8000-00000000000a';
const bob = '00000000-0000-4000-8000-00000000000b';
const entryId = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 0, minute));

interface Entry {
  id: string;
  label: string;
}

const entries = {
  table: 'Entry',
  owner: 'ownerId',
  time: 'at',
  id: 'id',
  direction: 'DESC' as const,
  select: `item."id", item."label"`,
  columns: { label: 'text' },
  where: `request.label IS NULL OR candidate."label" = request.label`,
};

describe('keyset pages on the real PostgreSQL', () => {
  const schema = uniqueName('fitnexa_pages');
  let database: ServiceDatabase;
  const statements: string[] = [];
  const db: RawQueries = {
    async $queryRawUnsafe<T>(query: string, ...values: unknown[]) {
      statements.push(query);
      return (await database.sql.query(query, values)) as T;
    },
  };

  beforeAll(async () => {
    const migrations = mkdtempSync(join(tmpdir(), 'fitnexa-pages-'));
    mkdirSync(join(migrations, '20260101000000_init'));
    writeFileSync(
      join(migrations, '20260101000000_init', 'migration.sql'),
      'CREATE TABLE "Entry" ("id" uuid PRIMARY KEY, "ownerId" uuid NOT NULL, "at" timestamptz NOT NULL, "label" text NOT NULL);',
    );
    database = await openServiceDatabase({
      service: 'pages',
      schema,
      url,
      dataDir: 'memory://',
      migrationsDir: migrations,
      logger: quietLogger(),
    });
    // Ann has entries 1..5 (entry n at minute n), Bob entries 6..7; labels alternate.
    for (let n = 1; n <= 7; n += 1) {
      await database.sql.query(
        'INSERT INTO "Entry" ("id", "ownerId", "at", "label") VALUES ($1, $2, $3, $4)',
        [entryId(n), n <= 5 ? ann : bob, at(n), n % 2 ? 'odd' : 'even'],
      );
    }
  });
  afterAll(async () => {
    await database.close();
    await dropServiceSchema(url, schema);
  });
  beforeEach(() => statements.splice(0));

  it('when owners ask for pages of their own size and position, then each gets its rows in order, in one query', async () => {
    const pages = await keysetPages<Entry>(db, entries, [
      { owner: ann, take: 2, after: { at: at(4), id: entryId(4) } },
      { owner: bob, take: 5, after: null },
      { owner: ann, take: 1, after: null },
    ]);

    expect(pages.map((page) => page.map((entry) => entry.id))).toEqual([
      [entryId(3), entryId(2)],
      [entryId(7), entryId(6)],
      [entryId(5)],
    ]);
    expect(statements).toHaveLength(1);
  });

  it('when a request names no uuid, then it gets no rows, and a batch of only such asks nothing', async () => {
    const pages = await keysetPages<Entry>(db, entries, [
      { owner: 'not-a-uuid', take: 5, after: null },
      { owner: bob, take: 1, after: null },
    ]);
    expect(pages).toEqual([[], [{ id: entryId(7), label: 'odd' }]]);

    statements.splice(0);
    expect(
      await keysetPages(db, entries, [{ owner: "x' OR true --", take: 5, after: null }]),
    ).toEqual([[]]);
    expect(statements).toHaveLength(0);
  });

  it("when a request's value holds SQL, then it is compared as a value", async () => {
    const [injected, even] = await keysetPages<Entry>(db, entries, [
      { owner: ann, take: 5, after: null, values: { label: "odd' OR true --" } },
      { owner: ann, take: 5, after: null, values: { label: 'even' } },
    ]);

    expect(injected).toEqual([]);
    expect(even.map((entry) => entry.id)).toEqual([entryId(4), entryId(2)]);
  });
});
