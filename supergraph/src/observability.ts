import type { ApolloServerPlugin } from '@apollo/server';
import type { Metrics } from '@fitnexa/shared/middleware';
import { Counter, Histogram } from 'prom-client';

// Operation names come from clients: past this many distinct names, the rest share one label, so
// no client can grow the metrics without bound.
const MAX_OPERATION_NAMES = 200;
const MAX_NAME_LENGTH = 64;

const durationBuckets = [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/**
 * The gateway's GraphQL metrics: operation durations by name and type, errors by code, persisted
 * query lookups (hit/miss/register) and every subgraph fetch's duration and outcome.
 */
export function createGatewayMetrics(metrics: Metrics) {
  const registers = [metrics.registry];
  const operationDuration = new Histogram({
    name: 'graphql_operation_duration_seconds',
    help: 'GraphQL operations by name and type, from request to response',
    labelNames: ['operation', 'type'] as const,
    buckets: durationBuckets,
    registers,
  });
  const errors = new Counter({
    name: 'graphql_errors_total',
    help: 'GraphQL errors answered, by extensions.code',
    labelNames: ['code'] as const,
    registers,
  });
  const persistedQueries = new Counter({
    name: 'graphql_persisted_queries_total',
    help: 'Automatic persisted query lookups: hit, miss (the client must send the query), register',
    labelNames: ['result'] as const,
    registers,
  });
  const subgraphFetchDuration = new Histogram({
    name: 'subgraph_fetch_duration_seconds',
    help: 'Gateway requests to subgraphs, by subgraph and outcome',
    labelNames: ['subgraph', 'outcome'] as const,
    buckets: durationBuckets,
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

  const plugin: ApolloServerPlugin = {
    async requestDidStart({ request }) {
      const started = performance.now();
      const persisted = request.extensions?.persistedQuery !== undefined;
      return {
        async willSendResponse({ operationName, operation, errors: answered }) {
          const codes = (answered ?? []).map((error) =>
            String(error.extensions?.code ?? 'UNKNOWN'),
          );
          for (const code of codes) errors.inc({ code });
          if (persisted) {
            persistedQueries.inc({
              result: codes.includes('PERSISTED_QUERY_NOT_FOUND')
                ? 'miss'
                : request.query
                  ? 'register'
                  : 'hit',
            });
          }
          operationDuration.observe(
            { operation: operationLabel(operationName), type: operation?.operation ?? 'invalid' },
            (performance.now() - started) / 1000,
          );
        },
      };
    },
  };

  /** Wraps a subgraph's fetcher to time each request. */
  const timedFetch = <Args extends unknown[], Answer extends { ok: boolean; status: number }>(
    subgraph: string,
    fetcher: (...args: Args) => Promise<Answer>,
  ) =>
    async function timed(...args: Args): Promise<Answer> {
      const started = performance.now();
      let outcome = 'error';
      try {
        const response = await fetcher(...args);
        outcome = response.ok ? 'ok' : `http_${response.status}`;
        return response;
      } finally {
        subgraphFetchDuration.observe({ subgraph, outcome }, (performance.now() - started) / 1000);
      }
    };

  return { plugin, timedFetch };
}
