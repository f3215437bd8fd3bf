import { quietLogger, TEST_SERVICE_TOKEN_SECRET, testDatabaseUrl } from '@fitnexa/shared/testing';
import type { IdentityOptions } from '../src';

// Component tests: identity alone, in-process on port 0, on the real PostgreSQL (in `schema`),
// spoken to over HTTP as the gateway speaks to it.

/** identity's settings for a test: the defaults of its config, in `schema`; `overrides` win. */
export function identitySettings(
  schema: string,
  overrides: Partial<IdentityOptions> = {},
): IdentityOptions {
  return {
    PORT: 0,
    HOST: '127.0.0.1',
    DATABASE_URL: testDatabaseUrl(),
    DATA_DIR: 'memory://',
    ACCESS_TOKEN_TTL_SECONDS: 900,
    REFRESH_TOKEN_TTL_DAYS: 30,
    LOGIN_MAX_FAILURES: 5,
    LOGIN_LOCKOUT_SECONDS: 900,
    SEED_DEMO_DATA: false,
    SERVICE_TOKEN_SECRET: TEST_SERVICE_TOKEN_SECRET,
    logger: quietLogger('identity'),
    schema,
    ...overrides,
  };
}
