import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

export interface MongoStandIn {
  /** A connection string for the MongoDB driver (polling monitoring: the stand-in needs it). */
  url: string;
  stop(): Promise<void>;
}

const WORKER = join(__dirname, '..', 'stand-in', 'congo-worker.mjs');

/**
 * An in-process, memory-only MongoDB stand-in (CongoServer, on its own thread) on a free port of
 * 127.0.0.1: what observability keeps its logs in when no MONGODB_URL is configured.
 */
export async function startMongoStandIn(database: string): Promise<MongoStandIn> {
  // Plain Node: the worker is an ES module of its own and loads only node_modules, so tsx's loader
  // (which it would inherit through execArgv) is no use there and would only slow its start.
  const worker = new Worker(WORKER, { execArgv: [] });
  const port = await new Promise<number>((resolve, reject) => {
    worker.once('message', (message: { port: number }) => resolve(message.port));
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`MongoDB stand-in exited (${code})`)));
  });
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
