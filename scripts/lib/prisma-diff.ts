import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isInitialised, pgliteTemplateDir } from '@fitnexa/shared/db';

// Prisma 7's migrate commands need a native engine that cannot be fetched here; Prisma 6 has a
// wasm one that can diff two datamodels offline when given a driver adapter (a PGlite: a copy of
// the empty template database where `npm install` made one, 0032, else a new in-memory one).

const prisma6 = require.resolve('prisma6/build/index.js');
const exitAfterOutput = join(__dirname, 'exit-after-output.cjs');

/** Rewrites a Prisma 7 schema into what Prisma 6's differ accepts: a datasource URL, a plain generator. */
function asPrisma6Schema(schema: string): string {
  return schema
    .replace(
      /generator\s+\w+\s*\{[^}]*\}/,
      'generator client {\n  provider   = "prisma-client-js"\n  engineType = "client"\n}',
    )
    .replace(/datasource\s+(\w+)\s*\{/, 'datasource $1 {\n  url = env("PRISMA_DIFF_URL")');
}

/**
 * The SQL that turns `from` (a datamodel, or nothing) into `to`, as `prisma migrate diff --script`
 * writes it, minus the `CREATE SCHEMA "public"` line: each service's schema is made by provisioning.
 */
export function diffDatamodels(from: string | null, to: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'fitnexa-prisma-diff-'));
  try {
    const template = pgliteTemplateDir();
    const dataDir = isInitialised(template) ? join(dir, 'pgdata') : undefined;
    if (dataDir) cpSync(template, dataDir, { recursive: true });
    writeFileSync(join(dir, 'to.prisma'), asPrisma6Schema(to));
    if (from !== null) writeFileSync(join(dir, 'from.prisma'), asPrisma6Schema(from));
    writeFileSync(
      join(dir, 'prisma.config.mjs'),
      `import { defineConfig } from ${JSON.stringify(require.resolve('prisma6/config'))};
export default defineConfig({
  schema: './to.prisma',
  experimental: { adapter: true },
  engine: 'js',
  adapter: async () => {
    const { PGlite } = await import(${JSON.stringify(require.resolve('@electric-sql/pglite'))});
    const { PrismaPGlite } = await import(${JSON.stringify(require.resolve('pglite-prisma-adapter'))});
    return new PrismaPGlite(new PGlite(${dataDir ? JSON.stringify(dataDir) : ''}));
  },
});
`,
    );
    const args = [
      'migrate',
      'diff',
      '--config',
      'prisma.config.mjs',
      '--to-schema-datamodel',
      'to.prisma',
      '--script',
    ];
    args.push(...(from === null ? ['--from-empty'] : ['--from-schema-datamodel', 'from.prisma']));
    const result = spawnSync(process.execPath, ['--require', exitAfterOutput, prisma6, ...args], {
      cwd: dir,
      encoding: 'utf8',
      env: {
        ...process.env,
        PRISMA_DIFF_URL: 'postgresql://unused@127.0.0.1:1/unused',
        PRISMA_SCHEMA_ENGINE_BINARY: join(__dirname, '..', 'no-schema-engine.sh'),
        CHECKPOINT_DISABLE: '1',
        PRISMA_HIDE_UPDATE_MESSAGE: '1',
      },
    });
    if (result.status !== 0)
      throw new Error(`prisma migrate diff failed:\n${result.stderr}${result.stdout}`);
    return result.stdout
      .replace(/^Loaded Prisma config.*\n/m, '')
      .replace(/-- CreateSchema\nCREATE SCHEMA IF NOT EXISTS "public";\n\n?/, '')
      .trimStart();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function readSchema(path: string): string {
  return readFileSync(path, 'utf8');
}
