// FitNexa's gateway, as production runs it (token verification, armor, rate limits, metrics,
// correlation ids), except that the rate limits are too high to refuse anything: they are checked
// (in Redis when REDIS_URL is set), as in production, but one user's load must not be refused;
// likewise the graphql-ws connection caps (a thousand clients of 20 users, from one address).
import { randomUUID } from 'node:crypto';
import { createLogger } from '@fitnexa/shared/logger';
import { startGateway } from '@fitnexa/supergraph';
import type { GatewayConfig, StartedGateway } from '../protocol';

const UNLIMITED = { points: 1_000_000_000, durationSeconds: 60 };

export async function startOurs(
  supergraphSdl: string,
  { subgraphUrls, jwksUrl, redisUrl, serviceTokenSecret, deduplication }: GatewayConfig,
): Promise<StartedGateway> {
  const run = randomUUID();
  const server = await startGateway({
    supergraphSdl,
    subgraphUrls,
    jwksUrl,
    serviceTokenSecret,
    port: 0,
    host: '127.0.0.1',
    logger: createLogger({ service: 'gateway', level: 'error' }),
    production: true,
    redisUrl,
    // Keys of this run's own: a cached answer of an earlier run names rows of its dropped schemas.
    cachePrefix: `fitnexa_bench:${run}:gateway`,
    rateLimits: {
      perIp: UNLIMITED,
      perUser: UNLIMITED,
      prefix: `fitnexa_bench:${run}:rate`,
    },
    subgraphDeduplication: deduplication,
    queryDeduplication: deduplication,
    subscriptions: { maxConnectionsPerIp: 1_000_000, maxConnectionsPerUser: 1_000_000 },
  });
  return { url: server.url, stop: () => server.stop() };
}
