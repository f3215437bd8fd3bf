// What a benchmark child allocates over a measured window, by V8's sampling heap profiler with the
// objects already collected included (a CPU profile shows where time goes; this shows what the
// garbage collector is given): a loopback endpoint of the child's own, POST /start and POST /stop,
// the latter writing the profile (.heapprofile, for Chrome's DevTools) and answering its total.
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Session, type HeapProfiler } from 'node:inspector/promises';

/** Bytes between samples: small enough for a few seconds of a gateway to give thousands. */
const SAMPLING_INTERVAL = 4096;

/** What POST /stop answers. */
export interface AllocationWindow {
  /** Bytes allocated over the window, as the sampling estimates them. */
  bytes: number;
  /** Where the profile was written. */
  file: string;
}

const totalOf = (node: HeapProfiler.SamplingHeapProfileNode): number =>
  node.selfSize + node.children.reduce((sum, child) => sum + totalOf(child), 0);

/** Serves /start and /stop on 127.0.0.1 (an ephemeral port); profiles go into `directory`. */
export async function serveAllocationSampling(directory: string, name: string) {
  mkdirSync(directory, { recursive: true });
  const session = new Session();
  session.connect();
  let windows = 0;
  const server: Server = createServer((request, response) => {
    const answer = async () => {
      if (request.method === 'POST' && request.url === '/start') {
        await session.post('HeapProfiler.startSampling', {
          samplingInterval: SAMPLING_INTERVAL,
          includeObjectsCollectedByMajorGC: true,
          includeObjectsCollectedByMinorGC: true,
        });
        return {};
      }
      if (request.method === 'POST' && request.url === '/stop') {
        const { profile } = await session.post('HeapProfiler.stopSampling');
        windows += 1;
        const file = join(directory, `${name}.${process.pid}.${windows}.heapprofile`);
        writeFileSync(file, JSON.stringify(profile));
        return { bytes: totalOf(profile.head), file } satisfies AllocationWindow;
      }
      response.statusCode = 404;
      return {};
    };
    answer().then(
      (body) => response.end(JSON.stringify(body)),
      (error: unknown) => {
        response.statusCode = 500;
        response.end(JSON.stringify({ error: String(error) }));
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => {
      session.disconnect();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
