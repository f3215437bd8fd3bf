import { spawn } from 'node:child_process';
import { join } from 'node:path';

// A server's process under runService, for faults nobody caught: a child process of its own, its
// JSON log lines read from stdout.

describe('faults nobody caught, in a process run by runService', () => {
  it('when a promise is rejected with nobody listening, then it is logged with its stack and the server goes on; when an exception is uncaught, then it is logged, the server stops gracefully and the process exits 1', async () => {
    const child = spawn(
      process.execPath,
      [
        '--conditions=fitnexa-source',
        '--import',
        'tsx',
        join(__dirname, 'fixtures', 'faulty-server.ts'),
      ],
      { env: { ...process.env, RABBITMQ_URL: '' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const lines: string[] = [];
    let partial = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      const parts = (partial + chunk).split('\n');
      partial = parts.pop() ?? '';
      lines.push(...parts.filter(Boolean));
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const entries = () =>
      lines.map((line) => JSON.parse(line) as { message: string; error?: string; url?: string });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const until = async (message: string) => {
      for (;;) {
        const found = entries().find((entry) => entry.message === message);
        if (found) return found;
        if (child.exitCode !== null) {
          throw new Error(`exited with ${child.exitCode}: ${lines.join('\n')}\n${stderr}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    try {
      const { url } = await until('faulty server ready');

      expect((await fetch(`${url}/reject`)).status).toBe(200);
      const rejection = await until('unhandled promise rejection');
      expect(rejection.error).toContain('a promise nobody awaited');
      expect(rejection.error).toContain('faulty-server.ts');
      // Still serving.
      expect((await fetch(`${url}/health`)).status).toBe(200);

      await fetch(`${url}/throw`);
      expect(await exited).toBe(1);
      const messages = entries().map((entry) => entry.message);
      expect(messages.slice(messages.indexOf('uncaught exception; stopping'))).toEqual([
        'uncaught exception; stopping',
        'faulty server stopped',
      ]);
      expect(
        entries().find((entry) => entry.message === 'uncaught exception; stopping')?.error,
      ).toContain('a callback that threw');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
