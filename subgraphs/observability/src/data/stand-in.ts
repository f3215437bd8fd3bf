import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

export interface MongoStandIn {
  /** A connection string for the MongoDB driver (polling monitoring: the stand-in needs it). */
  url: string;
  stop(): Promise<void>;
}

const WORKER = join(__dirname, '..', 'stand-in', 'congo-worker.mjs');

interface Starting {
  worker: Worker;
  /** The port the stand-in listens on, once it does. */
  port: Promise<number>;
}

// Plain Node: the worker is an ES module of its own and loads only node_modules, so tsx's loader
// (which it would inherit through execArgv) is no use there and would only slow its start.
function startWorker(): Starting {
  const worker = new Worker(WORKER, { execArgv: [] });
  const port = new Promise<number>((resolve, reject) => {
    worker.once('message', (message: { port: number }) => resolve(message.port));
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`MongoDB stand-in exited (${code})`)));
  });
  return { worker, port };
}

let early: Starting | undefined;

/**
 * Starts the stand-in's thread now, for the first startMongoStandIn of this process to take:
 * `npm start` calls it before it loads the graph's modules, so that the stand-in's own (CongoServer
 * and its dependencies, on the other core) load meanwhile instead of after observability starts,
 * with the main thread waiting for them. Unreferenced until taken: it keeps no process alive.
 */
export function startMongoStandInEarly(): void {
  if (early) return;
  early = startWorker();
  early.worker.unref();
  // Not unhandled meanwhile: startMongoStandIn awaits it, and fails with it, as it would have.
  early.port.catch(() => undefined);
}

/**
 * An in-process, memory-only MongoDB stand-in (CongoServer, on its own thread) on a free port of
 * 127.0.0.1: what observability keeps its logs in when no MONGODB_URL is configured.
 */
export async function startMongoStandIn(database: string): Promise<MongoStandIn> {
  const { worker, port: listening } = early ?? startWorker();
  early = undefined;
  worker.ref();
  const port = await listening;
  let stopping: Promise<void> | undefined;
  return {
    url: `mongodb://127.0.0.1:${port}/${database}?serverMonitoringMode=poll`,
    stop: () =>
      (stopping ??= (async () => {
        const stopped = new Promise((resolve) => {
          worker.once('message', resolve);
          worker.once('exit', resolve);
        });
        worker.postMessage('stop');
        await Promise.race([stopped, new Promise((resolve) => setTimeout(resolve, 1_000).unref())]);
        await worker.terminate();
      })()),
  };
}
