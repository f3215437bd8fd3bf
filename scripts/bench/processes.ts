// The parent side of the benchmark's child processes: start one (Node with tsx), wait for its
// ready line, and stop them all — gracefully first, so that profiles get written, then for good.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { dropServiceSchema, uniqueName } from '@fitnexa/shared/testing';
import { SUBGRAPH_NAMES, type SubgraphName } from '../lib/graph';
import { CONFIG_ENV, READY_PREFIX } from './protocol';

const ROOT = join(__dirname, '..', '..');

export interface ChildOptions {
  config: unknown;
  args?: string[];
  /** Extra Node options, e.g. --cpu-prof. */
  nodeArgs?: string[];
  /**
   * CPUs to run on once ready (taskset's list, e.g. `0`); absent: any. Needs `taskset` (see
   * cpuPinning).
   */
  cpus?: string;
  readyTimeoutMs?: number;
  /** The checkout whose scripts/bench/<entry> runs (default: this one). */
  root?: string;
}

export interface RunningChild<T> {
  name: string;
  pid: number;
  ready: T;
}

export class Children {
  /** In start order; stopped in reverse (gateways before the subgraphs they call). */
  private readonly started: { name: string; child: ChildProcess }[] = [];

  /** Starts scripts/bench/<entry> in a process of its own and waits for what it reports. */
  async start<T>(name: string, entry: string, options: ChildOptions): Promise<RunningChild<T>> {
    const { args = [], nodeArgs = [], readyTimeoutMs = 180_000, root = ROOT } = options;
    const node = [
      process.execPath,
      ...nodeArgs,
      '--conditions=fitnexa-source',
      '--import',
      'tsx',
      join(root, 'scripts', 'bench', entry),
      ...args,
    ];
    const child = spawn(node[0]!, node.slice(1), {
      cwd: root,
      env: { ...process.env, [CONFIG_ENV]: JSON.stringify(options.config) },
      // stdin stays open: the child stops when it closes, i.e. when this process is gone.
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    this.started.push({ name, child });
    const ready = await new Promise<T>((resolve, reject) => {
      let isReady = false;
      const fail = (error: Error) => {
        clearTimeout(timer);
        if (!isReady) reject(error);
        isReady = true;
      };
      const timer = setTimeout(
        () => fail(new Error(`${name} was not ready within ${readyTimeoutMs / 1000} s`)),
        readyTimeoutMs,
      );
      createInterface({ input: child.stdout! }).on('line', (line) => {
        if (!isReady && line.startsWith(READY_PREFIX)) {
          clearTimeout(timer);
          isReady = true;
          try {
            resolve(JSON.parse(line.slice(READY_PREFIX.length)) as T);
          } catch (error) {
            reject(error as Error);
          }
        } else {
          process.stderr.write(`[${name}] ${line}\n`);
        }
      });
      child.once('error', fail);
      child.once('exit', (code, signal) =>
        fail(new Error(`${name} exited (${signal ?? `code ${code}`}) before it was ready`)),
      );
    });
    // Pinned once it is ready: starting up (migrations, the demo data) may use every CPU.
    if (options.cpus !== undefined) pinProcess(child.pid!, options.cpus);
    return { name, pid: child.pid!, ready };
  }

  /** Stops every child still running, the last started first. */
  async stopAll(): Promise<void> {
    for (const { child } of this.started.splice(0).reverse()) await stop(child);
  }
}

/** Where the benchmark runs what, when it pins processes to CPUs. */
export interface CpuPinning {
  /** Each gateway's process. */
  gateways: string;
  /** The subgraphs' process and this one (the load generator). */
  rest: string;
}

/**
 * Where the children go — each gateway on CPU 0, the subgraphs and this process (the load
 * generator; see pinProcess) on the others — so that the gateway under load has a core of its own.
 * Undefined (nothing pinned) without `taskset` (Linux's util-linux), on one CPU, or when `disabled`.
 */
export function cpuPinning(cpuCount: number, disabled: boolean): CpuPinning | undefined {
  if (disabled || cpuCount < 2) return undefined;
  try {
    execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' });
  } catch {
    return undefined;
  }
  return { gateways: '0', rest: cpuCount === 2 ? '1' : `1-${cpuCount - 1}` };
}

/**
 * Every thread of the process onto those CPUs (threads it starts later inherit it). Pin this
 * process only after starting the children: they would inherit it too.
 */
export function pinProcess(pid: number, cpus: string): void {
  execFileSync('taskset', ['-a', '-p', '-c', cpus, String(pid)], { stdio: 'ignore' });
}

function stop(child: ChildProcess, graceMs = 15_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/**
 * What a benchmark run holds: its child processes and, on a PostgreSQL server, database schemas
 * of its own. `cleanUp` stops the children and drops the schemas, once, also on Ctrl-C.
 */
export function startBenchRun(databaseUrl: string | undefined) {
  const children = new Children();
  const schemas = databaseUrl
    ? (Object.fromEntries(
        SUBGRAPH_NAMES.map((name) => [name, uniqueName(`fitnexa_bench_${name}`)]),
      ) as Record<SubgraphName, string>)
    : undefined;
  let cleaning: Promise<void> | undefined;
  const cleanUp = () =>
    (cleaning ??= (async () => {
      await children.stopAll();
      if (databaseUrl && schemas) {
        await Promise.all(
          Object.values(schemas).map((schema) => dropServiceSchema(databaseUrl, schema)),
        );
      }
    })());
  // Ctrl-C reaches this process more than once (directly and relayed by tsx): stop once, and
  // keep handling the signal so that a repeat does not kill this process before the cleanup ends.
  let interrupted = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (interrupted) return;
      interrupted = true;
      console.error(`\n${signal}: stopping the child processes…`);
      void cleanUp().finally(() => process.exit(130));
    });
  }
  return { children, schemas, cleanUp };
}
