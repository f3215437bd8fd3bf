import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HealthRoutes } from './health';
import { SERVER_HEADERS_TIMEOUT_MS, SERVER_KEEP_ALIVE_TIMEOUT_MS } from './keep-alive';

export interface RunningServer {
  url: string;
  port: number;
  /** The port of its `/metrics` when that has one of its own (METRICS_PORT). */
  metricsPort?: number;
  /**
   * Shutdown's first step, which `stop` also takes: `/health/ready` answers 503 (the load balancer
   * takes the instance out of rotation) while every request is still served, each answer with
   * `Connection: close` so that no proxy reuses a socket the server is about to close.
   */
  drain(): void;
  stop(): Promise<void>;
}

/**
 * Listens on `port` (0 picks a free one) and returns the handle every FitNexa server exposes:
 * its GraphQL URL, the port it got, its `drain` and a `stop` that runs once however often it is
 * called (draining first). `health` is the readiness route that draining turns 503.
 */
export async function serve(
  server: Server,
  { port, host, health }: { port: number; host: string; health?: HealthRoutes },
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
  let draining = false;
  // Before the app's own listener: the header is set before any answer starts.
  server.prependListener('request', (_req: IncomingMessage, res: ServerResponse) => {
    if (draining) res.setHeader('connection', 'close');
  });
  const drain = () => {
    draining = true;
    health?.drain();
  };
  let stopping: Promise<void> | undefined;
  return {
    url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${actualPort}/graphql`,
    port: actualPort,
    drain,
    stop: () =>
      (stopping ??= (async () => {
        drain();
        await stop();
      })()),
  };
}
