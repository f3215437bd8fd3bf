import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

/** Whether nothing listens on `port` of 127.0.0.1 right now. */
function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * A loopback port nothing listens on right now, below the kernel's ephemeral range (from 32768 on
 * Linux by default): such a port is only taken later (a server started on it, an instance
 * restarted on it), and one from that range (what `listen(0)` gives) may meanwhile become the
 * local port of an outgoing connection, after which nothing can listen on it.
 */
export async function freePort(): Promise<number> {
  let ephemeralLow = 32_768;
  try {
    const [low] = (await readFile('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')).split(/\s+/);
    if (Number(low) > 22_000) ephemeralLow = Number(low);
  } catch {
    // Not Linux: below the usual range all the same.
  }
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const port = 20_000 + Math.floor(Math.random() * (ephemeralLow - 20_000));
    if (await isFree(port)) return port;
  }
  throw new Error(`no free port in 20000–${ephemeralLow - 1}`);
}

/** Kills a child process at once and waits until it is gone. */
export async function killProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGKILL');
  await exited;
}

/**
 * A Redis server of the test's own (on a free port, or on `port` to bring one back), so the test
 * can take it away, freeze it or restart it.
 */
export async function startOwnRedis(
  port?: number,
): Promise<{ url: string; process: ChildProcess }> {
  const actualPort = port ?? (await freePort());
  const child = spawn(
    'redis-server',
    ['--port', String(actualPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  const url = `redis://127.0.0.1:${actualPort}`;
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const probe = new Redis(url, {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    try {
      await probe.connect();
      await probe.ping();
      await probe.quit();
      return { url, process: child };
    } catch {
      // A refused attempt has ended already (no retries): disconnecting it would only leave
      // ioredis's 2 s timer behind for a socket that is gone, holding the test's process.
      if (probe.status !== 'end') probe.disconnect();
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  await killProcess(child);
  throw new Error('redis-server did not start');
}

/**
 * What closing a Redis client leaves behind when the server hangs: `open` connects it to a Redis of
 * the test's own and uses it; its `close` then runs while that server is frozen (SIGSTOP, so it
 * never closes its end). Resolves to the sockets the close ended and the timers it left (active
 * handles counted before the freeze and after the close).
 */
export async function closedWhileRedisHangs(
  open: (redisUrl: string) => Promise<{ close(): Promise<void> }>,
): Promise<{ socketsEnded: number; timersLeft: number }> {
  const redis = await startOwnRedis();
  const count = (kind: string) =>
    process.getActiveResourcesInfo().filter((resource) => resource === kind).length;
  try {
    const client = await open(redis.url);
    const before = { sockets: count('TCPSocketWrap'), timers: count('Timeout') };
    redis.process.kill('SIGSTOP');
    await client.close();
    return {
      socketsEnded: before.sockets - count('TCPSocketWrap'),
      timersLeft: Math.max(0, count('Timeout') - before.timers),
    };
  } finally {
    redis.process.kill('SIGCONT');
    await killProcess(redis.process);
  }
}

export interface OwnRabbit {
  url: string;
  /** `rabbitmqctl stop_app`: the broker goes away, the node stays. */
  stopApp(): Promise<void>;
  /** `rabbitmqctl start_app`, waiting until it takes connections again. */
  startApp(): Promise<void>;
  /** Stops the node and removes its files. */
  stop(): Promise<void>;
}

const run = (command: string, args: string[], env: NodeJS.ProcessEnv = process.env) =>
  new Promise<void>((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')}: ${stderr}`)),
    );
  });

/**
 * A RabbitMQ node of the test's own (the machine's rabbitmq-server, on free ports, its files in a
 * temporary folder), so a test can stop and start the broker without disturbing anyone else.
 */
export async function startOwnRabbit(): Promise<OwnRabbit> {
  const [port, distPort] = [await freePort(), await freePort()];
  const node = `fitnexa_${port}@localhost`;
  const base = await mkdtemp(join(tmpdir(), 'fitnexa-rabbit-'));
  await writeFile(join(base, 'rabbitmq.conf'), `listeners.tcp.local = 127.0.0.1:${port}\n`);
  await writeFile(join(base, 'enabled_plugins'), '[].\n');
  // The server script runs the node as the rabbitmq user when started as root.
  if (process.getuid?.() === 0) await run('chown', ['-R', 'rabbitmq:rabbitmq', base]);
  const env = {
    ...process.env,
    RABBITMQ_NODENAME: node,
    RABBITMQ_NODE_PORT: String(port),
    RABBITMQ_DIST_PORT: String(distPort),
    RABBITMQ_MNESIA_BASE: join(base, 'mnesia'),
    RABBITMQ_LOG_BASE: join(base, 'log'),
    RABBITMQ_PID_FILE: join(base, 'pid'),
    RABBITMQ_CONFIG_FILE: join(base, 'rabbitmq'),
    RABBITMQ_ENABLED_PLUGINS_FILE: join(base, 'enabled_plugins'),
  };
  const ctl = (...args: string[]) => run('rabbitmqctl', ['-n', node, ...args]);
  // `-detached` returns before the node has registered; await_startup needs it registered.
  const awaitStartup = async () => {
    const deadline = Date.now() + 60_000;
    for (;;) {
      try {
        return await ctl('await_startup', '--timeout', '60');
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
  };
  await run('rabbitmq-server', ['-detached'], env);
  await awaitStartup();
  return {
    url: `amqp://guest:guest@127.0.0.1:${port}`,
    stopApp: () => ctl('stop_app'),
    startApp: async () => {
      await ctl('start_app');
      await awaitStartup();
    },
    async stop() {
      await ctl('stop').catch(() => undefined);
      await rm(base, { recursive: true, force: true });
    },
  };
}
