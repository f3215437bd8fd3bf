import type { Express } from 'express';
import type { ApolloServerPlugin } from '@apollo/server';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

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

/**
 * Metrics of the process rather than of one server (the logs transport's dropped entries, labelled
 * by service): every server's /metrics shows them too.
 */
export const processMetrics = new Registry();

/** `GET /metrics` in Prometheus' text format: the server's metrics and the process's. */
export function metricsRoute(app: Express, metrics: Metrics) {
  app.get('/metrics', async (_req, res) => {
    // Concatenated, not Registry.merge: a merged registry drops the server's default labels.
    res.setHeader('content-type', metrics.registry.contentType);
    res.send(`${await metrics.registry.metrics()}\n${await processMetrics.metrics()}`);
  });
}

// Operation names come from clients: past this many distinct names, the rest share one label, so
// no client can grow the metrics without bound.
const MAX_OPERATION_NAMES = 200;
const MAX_NAME_LENGTH = 64;

/**
 * GraphQL metrics for an Apollo server: operation durations by name and type, and errors by
 * `extensions.code`. `onResponse` lets the gateway count more per request (persisted queries).
 */
export function graphqlMetricsPlugin(
  metrics: Metrics,
  onResponse?: (request: { hasQuery: boolean; persisted: boolean; codes: string[] }) => void,
): ApolloServerPlugin {
  const registers = [metrics.registry];
  const operationDuration = new Histogram({
    name: 'graphql_operation_duration_seconds',
    help: 'GraphQL operations by name and type, from request to response',
    labelNames: ['operation', 'type'] as const,
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers,
  });
  const errors = new Counter({
    name: 'graphql_errors_total',
    help: 'GraphQL errors answered, by extensions.code',
    labelNames: ['code'] as const,
    registers,
  });
  const names = new Set<string>();
  const operationLabel = (name: string | null | undefined) => {
    if (!name) return '(anonymous)';
    const bounded = name.slice(0, MAX_NAME_LENGTH);
    if (names.has(bounded)) return bounded;
    if (names.size >= MAX_OPERATION_NAMES) return '(other)';
    names.add(bounded);
    return bounded;
  };
  return {
    async requestDidStart({ request }) {
      const started = performance.now();
      return {
        async willSendResponse({ operationName, operation, errors: answered }) {
          const codes = (answered ?? []).map((error) =>
            String(error.extensions?.code ?? 'UNKNOWN'),
          );
          for (const code of codes) errors.inc({ code });
          operationDuration.observe(
            { operation: operationLabel(operationName), type: operation?.operation ?? 'invalid' },
            (performance.now() - started) / 1000,
          );
          onResponse?.({
            hasQuery: Boolean(request.query),
            persisted: request.extensions?.persistedQuery !== undefined,
            codes,
          });
        },
      };
    },
  };
}
