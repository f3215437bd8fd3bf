import { readFileSync } from 'node:fs';
import { createLogger } from '@fitnexa/shared/logger';
import { stopOnSignals } from '@fitnexa/shared/subgraph';
import { loadGatewayConfig } from './config';
import { startGateway } from './server';

const config = loadGatewayConfig();
const logger = createLogger({ service: 'gateway', level: config.LOG_LEVEL });
startGateway({
  supergraphSdl: readFileSync(config.SUPERGRAPH_PATH, 'utf8'),
  subgraphUrls: config.subgraphUrls,
  jwksUrl: config.JWKS_URL,
  port: config.PORT,
  host: config.HOST,
  logger,
  production: config.NODE_ENV === 'production',
}).then(
  (server) => stopOnSignals(server, logger),
  (error: unknown) => {
    logger.error('gateway failed to start', {
      error: error instanceof Error ? error.stack : String(error),
    });
    process.exit(1);
  },
);
