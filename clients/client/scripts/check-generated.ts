import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Exits 1 naming the files of src/generated that differ from what codegen.ts generates now (after a
// change of schema/api.graphql or of an operation): `npm run generate -w @fitnexa/client` mends it.
// Runs the CLI (as `generate` does) with codegen.ts's output moved to a temporary directory, then
// compares the two directories.

const root = fileURLToPath(new URL('..', import.meta.url));
const GENERATED = 'src/generated/';
const readOrNull = (path: string) => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
};

async function main() {
  const fresh = mkdtempSync(join(tmpdir(), 'fitnexa-client-'));
  try {
    const redirected = join(root, '.codegen-check.ts');
    writeFileSync(
      redirected,
      `import config from './codegen';\nconst { ['${GENERATED}']: output } = config.generates;\nexport default { ...config, generates: { '${fresh}/': output } };\n`,
    );
    try {
      const manifest = createRequire(import.meta.url).resolve('@graphql-codegen/cli/package.json');
      const cli = join(dirname(manifest), 'cjs/bin.js');
      execFileSync(process.execPath, [cli, '--config', redirected, '--silent'], {
        cwd: root,
        stdio: ['ignore', 'ignore', 'inherit'],
      });
    } finally {
      rmSync(redirected, { force: true });
    }
    const files = readdirSync(fresh);
    const stale = [...new Set([...files, ...readdirSync(join(root, GENERATED))]).values()].filter(
      (file) => readOrNull(join(fresh, file)) !== readOrNull(join(root, GENERATED, file)),
    );
    if (files.length === 0 || stale.length > 0) {
      console.error(
        `@fitnexa/client: stale generated operations in ${GENERATED} (${stale.join(', ') || 'nothing generated'}); run npm run generate -w @fitnexa/client`,
      );
      process.exitCode = 1;
      return;
    }
    console.log(`@fitnexa/client: ${files.length} generated files up to date`);
  } finally {
    rmSync(fresh, { recursive: true, force: true });
  }
}

void main();
