import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const WEB = join(__dirname, '../../clients/web');
const VITE = join(dirname(require.resolve('vite/package.json')), 'bin/vite.js');

export interface ServedWebApp {
  /** The page's origin, e.g. http://127.0.0.1:41234. */
  origin: string;
  stop(): Promise<void>;
}

function run(args: string[], env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, [VITE, ...args], {
    cwd: WEB,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', resolve));
}

/**
 * clients/web built for production against `gatewayUrl` (Vite, into a temporary directory) and
 * served by `vite preview` on `port`, as a real deployment would serve its bundle.
 */
export async function serveWebApp(gatewayUrl: string, port: number): Promise<ServedWebApp> {
  const outDir = mkdtempSync(join(tmpdir(), 'fitnexa-web-'));
  const build = run(['build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'error'], {
    VITE_GATEWAY_URL: gatewayUrl,
  });
  let buildErrors = '';
  build.stderr!.on('data', (chunk: Buffer) => (buildErrors += chunk.toString()));
  if ((await exited(build)) !== 0) throw new Error(`vite build failed: ${buildErrors}`);

  const preview = run(
    ['preview', '--outDir', outDir, '--host', '127.0.0.1', '--port', String(port), '--strictPort'],
    {},
  );
  const origin = `http://127.0.0.1:${port}`;
  await new Promise<void>((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(String(port))) resolve();
    };
    preview.stdout!.on('data', onData);
    preview.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    preview.once('exit', (code) => reject(new Error(`vite preview exited ${code}: ${output}`)));
  });
  return {
    origin,
    async stop() {
      const done = exited(preview);
      preview.kill();
      await done;
      rmSync(outDir, { recursive: true, force: true });
    },
  };
}
