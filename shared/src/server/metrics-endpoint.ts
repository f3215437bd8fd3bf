import { createServer } from 'node:http';
import express, { type Express } from 'express';
import { metricsRoute, type Metrics } from '../middleware';
import { serve } from './serve';

/** Where a server's `/metrics` is: its own port (production), or the public one (development). */
export interface MetricsEndpoint {
  /** The metrics port it listens on; absent when `/metrics` is on the public port. */
  port?: number;
  close(): Promise<void>;
}

/**
 * `GET /metrics` on a listener of its own at `port` (METRICS_PORT), so that the public port, which
 * the load balancer exposes, never answers it; without a port, on the server's public app.
 */
export async function metricsEndpoint(
  app: Express,
  metrics: Metrics,
  { port, host }: { port?: number; host: string },
): Promise<MetricsEndpoint> {
  if (port === undefined) {
    metricsRoute(app, metrics);
    return { close: async () => {} };
  }
  const metricsApp = express();
  metricsApp.disable('x-powered-by');
  metricsRoute(metricsApp, metrics);
  const httpServer = createServer(metricsApp);
  const server = await serve(httpServer, { port, host }, async () => {
    httpServer.closeAllConnections();
    await new Promise<void>((resolve) => httpServer.close(() => resolve()));
  });
  return { port: server.port, close: server.stop };
}
