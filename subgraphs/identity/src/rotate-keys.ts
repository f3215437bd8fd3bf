// `npm run keys:rotate` (`-- --now` to sign with the new key at once): adds a signing key to
// identity's database. It is published at once and signs 20 minutes later, once every instance and
// verifier knows it; the previous key stays published until the tokens it signed have expired.
import { createLogger } from '@fitnexa/shared/logger';
import { loadIdentityConfig } from './config';
import { rotateSigningKey } from './server';
import { errorMessage } from '@fitnexa/shared/errors';

const config = loadIdentityConfig();
const logger = createLogger({ service: 'identity', level: config.LOG_LEVEL });
rotateSigningKey({ ...config, logger, immediately: process.argv.includes('--now') }).then(
  (key) => {
    logger.info(
      key.created
        ? 'new signing key added'
        : 'no key added: one was already pending, and signs from activatesAt',
      {
        kid: key.kid,
        activatesAt: key.activatesAt.toISOString(),
      },
    );
  },
  (error: unknown) => {
    logger.error('signing key rotation failed', {
      error: errorMessage(error),
    });
    process.exitCode = 1;
  },
);
