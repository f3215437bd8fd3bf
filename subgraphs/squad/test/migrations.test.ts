import { join } from 'node:path';
import { schemaFromDatamodel, schemaFromMigrations } from '../../../scripts/lib/migration-check';
import { readSchema } from '../../../scripts/lib/prisma-diff';
import { migrationsDir } from '../src/db';

// Long timeouts: Prisma 6's differ runs in wasm and takes minutes on a busy machine (2 cores shared).
describe('squad migrations', () => {
  it('when every migration is applied, then the database matches schema.prisma (a change without a migration fails here)', async () => {
    const datamodel = readSchema(join(__dirname, '..', 'prisma', 'schema.prisma'));
    const [fromMigrations, fromSchema] = await Promise.all([
      schemaFromMigrations('fitnexa_squad', migrationsDir),
      schemaFromDatamodel('fitnexa_squad', datamodel),
    ]);
    expect(fromMigrations.length).toBeGreaterThan(40);
    expect(fromMigrations).toEqual(fromSchema);
  }, 240_000);
});
