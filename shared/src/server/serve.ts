import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SERVER_HEADERS_TIMEOUT_MS, SERVER_KEEP_ALIVE_TIMEOUT_MS } from './keep-alive';

export interface RunningServer {
  url: string;
  port: number;
  /** The port of its `/metrics` when that has one of its own (METRICS_PORT). */
  metricsPort?: number;
  stop(): Promise<void>;
}

/**
 * Listens on `port` (0 picks a free one) and returns the handle every FitNexa server exposes:
 * its GraphQL URL, the port it got, and a `stop` that runs once however often it is called.
 */
export async function serve(
  server: Server,
  { port, host }: { port: number; host: string },
  stop: () => Promise<void>,
): Promise<RunningServer> {
  server.keepAliveTimeout = SERVER_KEEP_ALIVE_TIMEOUT_MS;
  server.headersTimeout = SERVER_HEADERS_TIMEOUT_MS;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const actualPort = (server.address() as AddressInfo).port;
  let stopping: Promise<void> | undefined;
  return {
    url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${actualPort}/graphql`,
    port: actualPort,
    stop: () => (stopping ??= stop()),
  };
}
