import { spawn } from 'node:child_process';
import { join } from 'node:path';

describe('identity as a process', () => {
  // Its own timeout: compiling with tsx and migrating an embedded database takes a while on a busy machine.
  it('when it receives SIGTERM, then it stops serving, closes its database and exits 0', async () => {
    const child = spawn(
      process.execPath,
      ['--conditions=fitnexa-source', '--import', 'tsx', join(__dirname, '..', 'src', 'main.ts')],
      {
        env: {
          ...process.env,
          // Not jest's NODE_ENV=test: under test Apollo Server leaves signals alone, as it would not in use.
          NODE_ENV: 'development',
          PORT: '0',
          DATA_DIR: 'memory://',
          DATABASE_URL: '',
          LOG_LEVEL: 'info',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const lines: string[] = [];
    child.stdout
      .setEncoding('utf8')
      .on('data', (chunk: string) => lines.push(...chunk.split('\n')));
    const messages = () =>
      lines.filter(Boolean).map((line) => JSON.parse(line) as { message: string; url?: string });

    const url = await new Promise<string>((resolve, reject) => {
      const timer = setInterval(() => {
        const ready = messages().find((entry) => entry.message === 'identity subgraph ready');
        if (ready?.url) {
          clearInterval(timer);
          resolve(ready.url);
        }
      }, 50);
      child.once('exit', (code) =>
        reject(new Error(`exited early with ${code}: ${lines.join('\n')}`)),
      );
    });
    expect((await fetch(url.replace('/graphql', '/health/ready'))).status).toBe(200);

    const exitCode = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exitCode).toBe(0);
    expect(messages().map((entry) => entry.message)).toEqual(
      expect.arrayContaining(['shutting down', 'identity subgraph stopped']),
    );
  }, 90_000);
});
