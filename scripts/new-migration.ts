// npm run db:migration -- <subgraph> <name>
// Writes prisma/migrations/<timestamp>_<name>/migration.sql for the change to the subgraph's
// schema.prisma since the last commit (or the whole schema for its first migration).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { diffDatamodels, readSchema } from './lib/prisma-diff';

const [subgraph, name] = process.argv.slice(2);
if (!subgraph || !name || !/^[a-z0-9_]+$/.test(name)) {
  console.error('usage: npm run db:migration -- <subgraph> <snake_case_name>');
  process.exit(2);
}
const root = join(__dirname, '..');
const prismaDir = join(root, 'subgraphs', subgraph, 'prisma');
const schemaPath = join(prismaDir, 'schema.prisma');
const migrationsDir = join(prismaDir, 'migrations');
const hasMigrations =
  existsSync(migrationsDir) && readdirSync(migrationsDir).some((entry) => /^\d+_/.test(entry));

const committed = hasMigrations
  ? execFileSync('git', ['show', `HEAD:${relative(root, schemaPath)}`], {
      cwd: root,
      encoding: 'utf8',
    })
  : null;
const script = diffDatamodels(committed, readSchema(schemaPath));
if (!script.trim() || /^-- This is an empty migration\.?\s*$/.test(script.trim())) {
  console.log('schema.prisma has no change to migrate');
  process.exit(0);
}
const timestamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
const dir = join(migrationsDir, `${timestamp}_${name}`);
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, 'migration.sql'), script);
if (!existsSync(join(migrationsDir, 'migration_lock.toml'))) {
  writeFileSync(join(migrationsDir, 'migration_lock.toml'), 'provider = "postgresql"\n');
}
console.log(`wrote ${relative(root, dir)}/migration.sql`);
