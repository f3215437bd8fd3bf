// npm run bench:start: how light `npm start` (the embedded graph) is. For BENCH_RUNS runs
// (default 3): `npm start`'s own command on an empty data directory (cold), measuring the time
// until the gateway's /health/ready answers 200 and the banner is printed, then stopped; the same
// command again on the same data directory (warm), until ready; then, on that process,
// BENCH_SECONDS (default 10) of the README's member dashboard query with autocannon
// (BENCH_CONNECTIONS, default 20) as the logged-in demo member. Peak resident memory is the
// largest sum of VmRSS over the process tree, sampled every 50 ms from start to stop: the cold
// start's (seeding included) and the warm one's (the load included). BENCH_CHECKOUT=<dir> runs another
// checkout's `npm start` (an earlier commit's, for before and after on the same machine).
//
// The graph runs as `npm start` runs it, except that the gateway's rate limits are off (the load
// is one user; the default 600 per minute would refuse it) and the data directory is a temporary
// one. The ports are `npm start`'s: it waits up to 10 minutes for 3000 and 4001–4006 to be free.
// BENCH_PORT=<n> moves the gateway to n and the subgraphs to the six ports after it
// (SUBGRAPHS_FIRST_PORT), for a run beside another graph; a BENCH_CHECKOUT from before
// SUBGRAPHS_FIRST_PORT keeps its subgraphs on 4001–4006.
//
// Errors: connection errors, timeouts, non-2xx answers and any body other than the first one's
// (so GraphQL errors too). Medians over the runs; each run's figures are printed too.
// BENCH_PROFILE=1 runs Node with --cpu-prof (profiles, one per start and thread, in
// /tmp/fitnexa-bench-profiles). CPU s: the CPU time the process tree used until ready, which other
// work on the machine does not inflate as it does the wall-clock times; likewise CPU ms/req, the
// graph's CPU time per dashboard answered during the load.
//
// A measurement, not a test: it exits 0 whatever the numbers, non-zero only when setup fails.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_PASSWORD, DEMO_USERS } from '@fitnexa/shared/types';
import { runLoad, type RoundResult } from './bench/load';
import { median } from './bench/stats';
import { DEFAULT_PORTS } from './lib/graph';
import { integerSetting } from './bench/settings';

const RUNS = integerSetting('BENCH_RUNS', 3);
const SECONDS = integerSetting('BENCH_SECONDS', 10);
const CONNECTIONS = integerSetting('BENCH_CONNECTIONS', 20);
const PROFILE = process.env.BENCH_PROFILE === '1';
const PROFILE_DIR = '/tmp/fitnexa-bench-profiles';
const ROOT = process.env.BENCH_CHECKOUT ?? join(__dirname, '..');
const READY_TIMEOUT_MS = 300_000;
const PORTS_TIMEOUT_MS = 600_000;
const BANNER = 'FitNexa supergraph is up';
const PORT = integerSetting('BENCH_PORT', DEFAULT_PORTS.gateway);
/** The gateway's port, then the subgraphs' in rover.yaml's order. */
const PORTS =
  PORT === DEFAULT_PORTS.gateway
    ? Object.values(DEFAULT_PORTS)
    : Array.from({ length: Object.keys(DEFAULT_PORTS).length }, (_, index) => PORT + index);
const GATEWAY = `http://127.0.0.1:${PORT}`;

// The README's member dashboard.
const DASHBOARD = `query Dashboard($from: DateTime!, $to: DateTime!) {
  me {
    displayName
    memberships(status: ACTIVE) { gym { name } plan { name } }
    bookedClasses(from: $from, to: $to) { class { title startsAt coach { displayName } } }
    workoutSessions(first: 5) {
      edges { node { startedAt gym { name } sets { reps weightKg exercise { name } } } }
    }
    personalRecords { kind value exercise { name } }
  }
}`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const isPortFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const server = createServer()
      .once('error', () => resolve(false))
      .listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });

/** Waits (a while) for `npm start`'s ports: another benchmark may be using them. */
async function awaitPortsFree() {
  const deadline = performance.now() + PORTS_TIMEOUT_MS;
  for (const port of PORTS) {
    while (!(await isPortFree(port))) {
      if (performance.now() > deadline)
        throw new Error(`port ${port} is in use; npm start needs it`);
      await sleep(1_000);
    }
  }
}

/** The pids of `pid` and all its descendants, from /proc. */
function processTree(pid: number): number[] {
  const tree = [pid];
  for (let index = 0; index < tree.length; index++) {
    const taskDir = `/proc/${tree[index]}/task`;
    try {
      for (const task of readdirSync(taskDir)) {
        const children = readFileSync(join(taskDir, task, 'children'), 'utf8').trim();
        if (children) tree.push(...children.split(' ').map(Number));
      }
    } catch {
      // The process has just exited.
    }
  }
  return tree;
}

let clockTicks: number | undefined;

/** User and system CPU seconds the processes have used so far. */
function cpuSeconds(pids: number[]): number {
  clockTicks ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' })) || 100;
  let ticks = 0;
  for (const pid of pids) {
    try {
      // The fields after the command's closing parenthesis; utime and stime are the 12th and 13th.
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // The process has just exited.
    }
  }
  return ticks / clockTicks;
}

function residentBytes(pids: number[]): number {
  let total = 0;
  for (const pid of pids) {
    try {
      const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      total += Number(match?.[1] ?? 0) * 1024;
    } catch {
      // The process has just exited.
    }
  }
  return total;
}

interface Started {
  child: ChildProcess;
  readyMs: number;
  readyCpuSeconds: number;
  /** The largest resident memory so far; keeps rising until `stop`. */
  peakBytes(): number;
  stop(): Promise<void>;
}

/** The arguments of `node` in the checkout's `npm start` (package.json), flags included. */
function startArguments(): string[] {
  const { scripts } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    scripts: { start: string };
  };
  const [command, ...args] = scripts.start.trim().split(/\s+/);
  if (command !== 'node') throw new Error(`npm start is not a node command: ${scripts.start}`);
  return args;
}

/** Runs `npm start`'s command on `dataDir` and waits for the ready endpoint and the banner. */
async function startGraph(dataDir: string): Promise<Started> {
  await awaitPortsFree();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATA_DIR: dataDir,
    RATE_LIMIT_PER_IP_PER_MINUTE: '0',
    RATE_LIMIT_PER_USER_PER_MINUTE: '0',
    ...(PORT === DEFAULT_PORTS.gateway
      ? {}
      : { PORT: String(PORT), SUBGRAPHS_FIRST_PORT: String(PORTS[1]) }),
  };
  // The embedded graph: no server URLs.
  for (const name of ['DATABASE_URL', 'REDIS_URL', 'RABBITMQ_URL', 'MONGODB_URL']) delete env[name];
  const began = performance.now();
  // `npm start`'s command (the checkout's package.json), without npm's own process.
  const nodeArgs = PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : [];
  const child = spawn(process.execPath, [...nodeArgs, ...startArguments()], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let peak = 0;
  const sampler = setInterval(() => {
    if (child.pid) peak = Math.max(peak, residentBytes(processTree(child.pid)));
  }, 50);
  let output = '';
  let bannerShown = false;
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
    if (output.includes(BANNER)) bannerShown = true;
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  let hasExited = false;
  void exited.then(() => (hasExited = true));
  const stop = async () => {
    child.kill('SIGINT');
    const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(killer);
    clearInterval(sampler);
  };
  try {
    let ready = false;
    while (!(ready && bannerShown)) {
      if (hasExited) throw new Error(`npm start exited before it was ready:\n${output}`);
      if (performance.now() - began > READY_TIMEOUT_MS) throw new Error('npm start: not ready');
      if (!ready) ready = (await fetch(`${GATEWAY}/health/ready`).catch(() => null))?.ok ?? false;
      await sleep(50);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  const readyMs = performance.now() - began;
  const readyCpuSeconds = cpuSeconds(processTree(child.pid!));
  return { child, readyMs, readyCpuSeconds, peakBytes: () => peak, stop };
}

async function graphql(body: unknown, token?: string) {
  const response = await fetch(`${GATEWAY}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  const json = JSON.parse(text) as { data?: unknown; errors?: unknown[] };
  if (!response.ok || json.errors?.length || !json.data) {
    throw new Error(`the gateway answered ${response.status}: ${text.slice(0, 2000)}`);
  }
  return { json: json as { data: Record<string, unknown> }, text };
}

async function loadDashboard(pid: number): Promise<RoundResult> {
  const login = await graphql({
    query: 'mutation Login($input: LoginInput!) { login(input: $input) { accessToken } }',
    variables: { input: { email: DEMO_USERS.member.email, password: DEMO_PASSWORD } },
  });
  const token = (login.json.data.login as { accessToken: string }).accessToken;
  const from = new Date();
  const body = {
    query: DASHBOARD,
    variables: {
      from: from.toISOString(),
      to: new Date(from.getTime() + 7 * 86_400_000).toISOString(),
    },
  };
  const first = await graphql(body, token);
  return runLoad(
    {
      url: `${GATEWAY}/graphql`,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
      expectBody: first.text,
      connections: CONNECTIONS,
      seconds: SECONDS,
    },
    { graph: pid },
  );
}

interface RunFigures {
  coldMs: number;
  coldCpu: number;
  warmMs: number;
  warmCpu: number;
  coldPeakMb: number;
  warmPeakMb: number;
  rps: number;
  p99: number;
  errors: number;
  /** The graph's CPU time per dashboard answered (all its threads): what other load does not inflate. */
  cpuMsPerRequest: number;
}

async function run(): Promise<RunFigures> {
  const dataDir = mkdtempSync(join(tmpdir(), 'fitnexa-bench-start-'));
  try {
    const cold = await startGraph(dataDir);
    await cold.stop();
    const warm = await startGraph(dataDir);
    let load: RoundResult;
    try {
      load = await loadDashboard(warm.child.pid!);
    } finally {
      await warm.stop();
    }
    return {
      coldMs: cold.readyMs,
      coldCpu: cold.readyCpuSeconds,
      warmMs: warm.readyMs,
      warmCpu: warm.readyCpuSeconds,
      coldPeakMb: cold.peakBytes() / 2 ** 20,
      warmPeakMb: warm.peakBytes() / 2 ** 20,
      rps: load.rps,
      p99: load.p99,
      errors: load.errors,
      cpuMsPerRequest: ((load.cpuSeconds.graph ?? Number.NaN) * 1000) / load.requests,
    };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function row(label: string, figures: RunFigures): string {
  return [
    label.padEnd(8),
    (figures.coldMs / 1000).toFixed(1).padStart(8),
    figures.coldCpu.toFixed(1).padStart(10),
    (figures.warmMs / 1000).toFixed(1).padStart(8),
    figures.warmCpu.toFixed(1).padStart(10),
    figures.coldPeakMb.toFixed(0).padStart(11),
    figures.warmPeakMb.toFixed(0).padStart(11),
    figures.rps.toFixed(0).padStart(7),
    figures.p99.toFixed(0).padStart(7),
    String(figures.errors).padStart(6),
    figures.cpuMsPerRequest.toFixed(1).padStart(10),
  ].join(' | ');
}

async function main() {
  console.log(
    `npm start, ${RUNS} run(s): cold and warm start to ready, peak RSS, then ${SECONDS} s of the dashboard with ${CONNECTIONS} connections`,
  );
  console.log(
    `load average before: ${loadavg()
      .map((load) => load.toFixed(1))
      .join(' ')}`,
  );
  const runs: RunFigures[] = [];
  // A run that fails (e.g. another benchmark took a port in between) is tried again, once per run.
  for (let attempts = 0; runs.length < RUNS && attempts < 2 * RUNS; attempts++) {
    try {
      runs.push(await run());
      console.log(row(`run ${runs.length}`, runs.at(-1)!));
    } catch (error) {
      console.error(`a run failed: ${String(error).slice(0, 500)}`);
    }
  }
  if (!runs.length) throw new Error('every run failed');
  const medians = Object.fromEntries(
    (Object.keys(runs[0]!) as (keyof RunFigures)[]).map((key) => [
      key,
      median(runs.map((figures) => figures[key])),
    ]),
  ) as unknown as RunFigures;
  console.log(
    `\n${'run'.padEnd(8)} | cold s   | cold CPU s | warm s   | warm CPU s | cold peak MB | warm peak MB | req/s   | p99 ms  | errors | CPU ms/req`,
  );
  for (const [index, figures] of runs.entries()) console.log(row(`${index + 1}`, figures));
  console.log(row('median', medians));
  console.log(
    `load average after: ${loadavg()
      .map((load) => load.toFixed(1))
      .join(' ')}`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
