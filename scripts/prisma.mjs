#!/usr/bin/env node
// Runs the Prisma CLI on machines that cannot download Prisma's native schema engine.
// `generate`, `validate` and `format` never need that engine, but Prisma 7 fetches it at start for
// every command; pointing PRISMA_SCHEMA_ENGINE_BINARY at a stub that exits 1 skips the download.
// Migration commands fail loudly with the stub; migrations are applied by @fitnexa/shared/db instead.
// Where the engine can be fetched, set PRISMA_SCHEMA_ENGINE_BINARY yourself or call `prisma` directly.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const stub = fileURLToPath(new URL('./no-schema-engine.sh', import.meta.url));
const cli = require.resolve('prisma/build/index.js', { paths: [process.cwd()] });
const result = spawnSync(process.execPath, [cli, ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: {
    PRISMA_SCHEMA_ENGINE_BINARY: stub,
    CHECKPOINT_DISABLE: '1',
    PRISMA_HIDE_UPDATE_MESSAGE: '1',
    ...process.env,
  },
});
process.exit(result.status ?? 1);
