import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const REGISTER = join(__dirname, 'start-register.cjs');
const CODE_CACHE = join(
  __dirname,
  '..',
  '..',
  'node_modules',
  '.cache',
  'fitnexa-start',
  `code-cache-${process.version}-${process.arch}.bin`,
);

/** The files the code cache holds, from its index. */
async function codeCacheFiles(): Promise<string[]> {
  const file = await readFile(CODE_CACHE);
  const indexLength = file.readUInt32LE(0);
  return Object.keys(JSON.parse(file.subarray(4, 4 + indexLength).toString('utf8')));
}

describe("npm start's loader (start-register.cjs)", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fitnexa-start-register-'));
    await writeFile(
      join(dir, 'main.ts'),
      [
        "import { twice } from './dependency';",
        'class Refused extends Error {}',
        'interface Answer { value: number }',
        'const answer: Answer = { value: twice(21) };',
        "console.log(JSON.stringify({ answer, name: Refused.name, esm: typeof import('node:path') }));",
        "if (process.argv.includes('--fail')) throw new Refused('refused');",
        // Long enough for the loader to save the code cache (a few seconds after the last compile).
        "if (process.argv.includes('--wait')) setTimeout(() => undefined, 4_000);",
      ].join('\n'),
    );
    await writeFile(join(dir, 'dependency.js'), 'exports.twice = (n) => n * 2;\n');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const start = (...args: string[]) =>
    run(process.execPath, ['--require', REGISTER, join(dir, 'main.ts'), ...args], { cwd: dir });

  it('when it runs a TypeScript file requiring CommonJS, then both run as under tsx, and the CommonJS runs again from the code cache', async () => {
    const first = await start('--wait');
    expect(JSON.parse(first.stdout)).toEqual({
      answer: { value: 42 },
      name: 'Refused',
      esm: 'object',
    });
    expect(await codeCacheFiles()).toContain(join(dir, 'dependency.js'));

    const again = await start();
    expect(JSON.parse(again.stdout)).toEqual(JSON.parse(first.stdout));
  });

  it("when a TypeScript file throws, then the stack trace gives the error's line in the TypeScript source", async () => {
    const failed = await start('--fail').catch((error: { stderr: string }) => error);
    expect('stderr' in failed && failed.stderr).toContain(`${join(dir, 'main.ts')}:6:`);
  });
});
