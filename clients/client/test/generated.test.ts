import { execFile } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

// The typed operations are generated at install (git-ignored); the check compares them with what
// codegen.ts generates from schema/api.graphql and src/operations now. It runs in its own process:
// the codegen CLI finds no documents inside jest's module registry.

const run = promisify(execFile);
const root = join(__dirname, '..');
const check = () =>
  run(process.execPath, [require.resolve('tsx/cli'), join(root, 'scripts/check-generated.ts')], {
    cwd: root,
  });
const operation = join(root, 'src/operations/not-generated-yet.graphql');

afterEach(() => rmSync(operation, { force: true }));

describe('the generated operations of @fitnexa/client', () => {
  it('when nothing changed since install, then the check finds them up to date', async () => {
    const { stdout } = await check();
    expect(stdout).toContain('up to date');
  }, 60_000);

  it('when an operation is added without generating again, then the check fails naming the stale files', async () => {
    writeFileSync(operation, 'query NotGeneratedYet { me { id } }\n');
    const failure = await check().catch((error: { stderr: string; code: number }) => error);
    expect(failure).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('graphql.ts'),
    });
  }, 60_000);
});
