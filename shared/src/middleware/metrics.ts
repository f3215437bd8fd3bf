import type { Express } from 'express';
import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';

export interface Metrics {
  registry: Registry;
  requestDuration: Histogram<'method' | 'route' | 'status'>;
}

/**
 * One registry per server (several run in one process in `npm start` and in tests), labelled with
 * the service name; process metrics plus request durations.
 */
export function createMetrics(service: string): Metrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  const requestDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  return { registry, requestDuration };
}

// Routes as labels; anything else is one label value, so a scanner cannot blow up cardinality.
const knownRoutes = new Set([
  '/graphql',
  '/health/live',
  '/health/ready',
  '/metrics',
  '/.well-known/jwks.json',
]);
export function routeLabel(path: string): string {
  return knownRoutes.has(path) ? path : 'other';
}

/** `GET /metrics` in Prometheus' text format. */
export function metricsRoute(app: Express, metrics: Metrics) {
  app.get('/metrics', async (_req, res) => {
    res.setHeader('content-type', metrics.registry.contentType);
    res.send(await metrics.registry.metrics());
  });
}
