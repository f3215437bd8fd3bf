// The processes of a scale-out test: every service as its own process, started as production
// starts it, behind Debian's HAProxy on loopback (the shape of the Kubernetes deployment).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..');

/** The workspace of each service, in start order (identity first: the others read its JWKS). */
export const SERVICES = {
  identity: 'subgraphs/identity',
  gym: 'subgraphs/gym',
  workout: 'subgraphs/workout',
  squad: 'subgraphs/squad',
  messaging: 'subgraphs/messaging',
  observability: 'subgraphs/observability',
  gateway: 'supergraph',
} as const;
export type ServiceName = keyof typeof SERVICES;

/** How production starts a service: its compiled entry point (`npm run build` first). */
export function serviceCommand(workspaceDir: string): { command: string; args: string[] } {
  return { command: process.execPath, args: [join(workspaceDir, 'dist', 'main.js')] };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `url` until it answers 200 (or throws after `timeoutMs`). */
export async function untilReady(url: string, timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      await response.body?.cancel();
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error(`${url} not ready after ${timeoutMs} ms`);
    await sleep(200);
  }
}

/** One instance of a service: its own process, restarted on the same ports. */
export class Instance {
  private child?: ChildProcess;
  private exited?: Promise<void>;

  constructor(
    readonly service: ServiceName,
    readonly index: number,
    readonly port: number,
    readonly metricsPort: number,
    private readonly env: Record<string, string>,
    private readonly logPath: string,
  ) {}

  get name() {
    return `${this.service}-${this.index}`;
  }

  get origin() {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Starts the process and waits for its `/health/ready`; the time that took, in ms. */
  async start(): Promise<number> {
    const started = performance.now();
    const workspace = join(ROOT, SERVICES[this.service]);
    const { command, args } = serviceCommand(workspace);
    const log = createWriteStream(this.logPath, { flags: 'a' });
    const child = spawn(command, args, {
      cwd: workspace,
      env: {
        ...process.env,
        ...this.env,
        PORT: String(this.port),
        METRICS_PORT: String(this.metricsPort),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.pipe(log);
    child.stderr.pipe(log);
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    await untilReady(`${this.origin}/health/ready`);
    return Math.round(performance.now() - started);
  }

  /** Sends `signal` and waits for the process to exit. */
  async signal(signal: 'SIGKILL' | 'SIGTERM'): Promise<void> {
    this.child?.kill(signal);
    await this.exited;
  }
}

/** HAProxy's health checks: every CHECK_INTERVAL_MS; CHECK_FALL failures in a row take a server out. */
export const CHECK_INTERVAL_MS = 1_000;
export const CHECK_FALL = 3;
/**
 * How long a server stopping on SIGTERM keeps serving drained (SHUTDOWN_DELAY_MS): until HAProxy
 * has seen CHECK_FALL failed checks, plus one interval for the check in progress.
 */
export const SHUTDOWN_DELAY_MS = (CHECK_FALL + 1) * CHECK_INTERVAL_MS;

/** HAProxy on loopback: a frontend per service, round robin over its instances' readiness. */
export class LoadBalancer {
  private child?: ChildProcess;

  constructor(
    private readonly configPath: string,
    private readonly logPath: string,
  ) {}

  static available(): boolean {
    return spawnSync('haproxy', ['-v']).status === 0;
  }

  async start(frontends: { name: string; port: number; servers: Instance[] }[]): Promise<void> {
    writeFileSync(
      this.configPath,
      [
        'global',
        '  maxconn 4000',
        'defaults',
        '  mode http',
        '  timeout connect 1s',
        '  timeout client 60s',
        '  timeout server 60s',
        // WebSockets (graphql-ws, socket.io) once upgraded.
        '  timeout tunnel 1h',
        // A refused connection (an instance just killed or stopping) is tried on the other one;
        // nothing that reached a server is sent twice. Every request opens its own connection to
        // a server (clients keep theirs alive): a request never goes out on an idle connection to
        // an instance that died meanwhile, which HAProxy answers by closing the client's
        // connection with no response, the request lost even though it never reached a server.
        '  retries 3',
        '  option redispatch 1',
        '  option http-server-close',
        '  option httpchk GET /health/ready',
        '  timeout check 5s',
        `  default-server inter ${CHECK_INTERVAL_MS} fall ${CHECK_FALL} rise 1`,
        ...frontends.flatMap(({ name, port, servers }) => [
          `frontend ${name}`,
          `  bind 127.0.0.1:${port}`,
          `  default_backend ${name}`,
          `backend ${name}`,
          '  balance roundrobin',
          ...servers.map((server) => `  server ${server.name} 127.0.0.1:${server.port} check`),
        ]),
        '',
      ].join('\n'),
    );
    const log = createWriteStream(this.logPath, { flags: 'a' });
    const child = spawn('haproxy', ['-db', '-f', this.configPath], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.pipe(log);
    child.stderr.pipe(log);
    this.child = child;
    // Its frontends answer once their servers start (503 until then): up when it has not exited.
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, 500);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`haproxy exited ${code}: see ${this.logPath}`));
      });
    });
  }

  stop() {
    this.child?.kill('SIGTERM');
  }
}
