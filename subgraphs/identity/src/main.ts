import { createLogger } from '@fitnexa/shared/logger';
import { stopOnSignals } from '@fitnexa/shared/subgraph';
import { loadIdentityConfig } from './config';
import { startIdentity } from './server';

const config = loadIdentityConfig();
const logger = createLogger({ service: 'identity', level: config.LOG_LEVEL });
startIdentity({ ...config, logger }).then(
  (server) => stopOnSignals(server, logger),
  (error: unknown) => {
    logger.error('identity failed to start', {
      error: error instanceof Error ? error.stack : String(error),
    });
    process.exit(1);
  },
);
