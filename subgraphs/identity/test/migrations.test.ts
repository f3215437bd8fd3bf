import { join } from 'node:path';
import { schemaFromDatamodel, schemaFromMigrations } from '../../../scripts/lib/migration-check';
import { readSchema } from '../../../scripts/lib/prisma-diff';
import { migrationsDir } from '../src/db';

const datamodel = readSchema(join(__dirname, '..', 'prisma', 'schema.prisma'));

// Long timeouts: Prisma 6's differ runs in wasm and takes minutes on a busy machine (2 cores shared).
describe('identity migrations', () => {
  // Built once for both tests: applying every migration to a fresh PGlite takes seconds.
  let built: ReturnType<typeof schemaFromMigrations> | undefined;
  const fromMigrationsOnce = () =>
    (built ??= schemaFromMigrations('fitnexa_identity', migrationsDir));

  it('when every migration is applied, then the database matches schema.prisma (a change without a migration fails here)', async () => {
    const [fromMigrations, fromSchema] = await Promise.all([
      fromMigrationsOnce(),
      schemaFromDatamodel('fitnexa_identity', datamodel),
    ]);
    expect(fromMigrations.length).toBeGreaterThan(10);
    expect(fromMigrations).toEqual(fromSchema);
  }, 240_000);

  it('when schema.prisma gains a field that no migration adds, then the two databases differ', async () => {
    const changed = datamodel.replace(/model User \{/, 'model User {\n  nickname String?');
    const [fromMigrations, fromSchema] = await Promise.all([
      fromMigrationsOnce(),
      schemaFromDatamodel('fitnexa_identity', changed),
    ]);
    expect(fromSchema.filter((line) => !fromMigrations.includes(line))).toEqual([
      expect.stringMatching(/^column User nickname text YES/),
    ]);
  }, 240_000);
});
