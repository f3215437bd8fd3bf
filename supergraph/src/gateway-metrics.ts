import type { Metrics } from '@fitnexa/shared/middleware';
import { graphqlMetricsPlugin } from '@fitnexa/shared/middleware';
import { Counter, Gauge, Histogram } from 'prom-client';

/**
 * The gateway's metrics on top of every server's GraphQL metrics: persisted query lookups
 * (hit/miss/register) and every subgraph fetch's duration and outcome.
 */
export function createGatewayMetrics(metrics: Metrics) {
  const registers = [metrics.registry];
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
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers,
  });

  const plugin = graphqlMetricsPlugin(metrics, ({ persisted, hasQuery, codes }) => {
    if (!persisted) return;
    persistedQueries.inc({
      result: codes.includes('PERSISTED_QUERY_NOT_FOUND') ? 'miss' : hasQuery ? 'register' : 'hit',
    });
  });

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

/**
 * The gateway's federated subscriptions: gauges of clients, their subscriptions and upstream
 * sockets, and the fan-out latency of each upstream event.
 */
export function createSubscriptionMetrics(metrics: Metrics) {
  const registers = [metrics.registry];
  const gauge = (name: string, help: string) => {
    const created = new Gauge({ name, help, registers });
    return (count: number) => created.set(count);
  };
  const fanOut = new Histogram({
    name: 'gateway_subscription_fanout_seconds',
    help: 'From an upstream subscription event arriving to its result handed to every subscriber of it',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers,
  });
  return {
    connections: gauge(
      'gateway_subscription_connections',
      'graphql-ws client connections open on this gateway instance',
    ),
    subscriptions: gauge(
      'gateway_subscriptions_active',
      'Client subscriptions running through this gateway instance',
    ),
    upstreamSockets: gauge(
      'gateway_subscription_upstream_sockets',
      'graphql-ws connections from this gateway instance to subgraphs, open or opening',
    ),
    fanOut: (seconds: number) => fanOut.observe(seconds),
  };
}
