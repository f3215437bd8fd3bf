// First: tracing (when configured) starts before the modules it instruments load.
import '@fitnexa/shared/telemetry/register';
import { runService } from '@fitnexa/shared/server';
import { loadGatewayConfig } from './config';
import { startGateway } from './server';
import { supergraphFile, supergraphUrl } from './supergraph-updates';

runService('gateway', loadGatewayConfig(), async (config) => {
  const readSupergraph = config.SUPERGRAPH_URL
    ? supergraphUrl(config.SUPERGRAPH_URL)
    : supergraphFile(config.SUPERGRAPH_PATH);
  return startGateway({
    supergraphSdl: await readSupergraph(),
    supergraphUpdates: config.SUPERGRAPH_POLL_SECONDS
      ? { read: readSupergraph, intervalMs: config.SUPERGRAPH_POLL_SECONDS * 1000 }
      : undefined,
    criticalSubgraphs: config.CRITICAL_SUBGRAPHS,
    criticalSubgraphGraceMs: config.CRITICAL_SUBGRAPH_GRACE_SECONDS * 1000,
    metricsPort: config.METRICS_PORT,
    subgraphUrls: config.subgraphUrls,
    jwksUrl: config.JWKS_URL,
    serviceTokenSecret: config.SERVICE_TOKEN_SECRET,
    port: config.PORT,
    host: config.HOST,
    logger: config.logger,
    production: config.NODE_ENV === 'production',
    explorer: config.explorer,
    statusPage: config.statusPage,
    redisUrl: config.REDIS_URL,
    rateLimits: config.rateLimits,
    trustProxy: config.TRUST_PROXY,
    corsOrigins: config.corsOrigins,
    ...config.bounds,
  });
});
