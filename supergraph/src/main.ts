// First: tracing (when configured) starts before the modules it instruments load.
import '@fitnexa/shared/telemetry/register';
import { readFileSync } from 'node:fs';
import { runService } from '@fitnexa/shared/server';
import { loadGatewayConfig } from './config';
import { startGateway } from './server';

runService('gateway', loadGatewayConfig(), (config) =>
  startGateway({
    supergraphSdl: readFileSync(config.SUPERGRAPH_PATH, 'utf8'),
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
  }),
);
