import type { Logger } from '@fitnexa/shared/logger';
import {
  codeOf,
  dropServiceSchema,
  graphqlClient,
  type GraphQLResult,
  quietLogger,
  testDatabaseUrl,
  testRedisUrl,
  testTokenIssuer,
  uniqueName,
} from '@fitnexa/shared/testing';
import { startWorkout } from '../src';

// Component tests: workout alone, in-process on port 0, on the real PostgreSQL and Redis, over
// HTTP, with access tokens signed by a key of the test's own.

export type TestWorkout = Awaited<ReturnType<typeof startTestWorkout>>;

export async function startTestWorkout(
  options: { redisUrl?: string; logger?: Logger; seedDemoData?: boolean; schema?: string } = {},
) {
  const schema = options.schema ?? uniqueName('fitnexa_workout');
  const issuer = await testTokenIssuer();
  const server = await startWorkout({
    PORT: 0,
    HOST: '127.0.0.1',
    DATABASE_URL: testDatabaseUrl(),
    DATABASE_ROLE_PASSWORD: undefined,
    DATA_DIR: 'memory://',
    REDIS_URL: 'redisUrl' in options ? options.redisUrl : testRedisUrl(),
    JWKS_URL: 'http://127.0.0.1:1/never-fetched',
    SEED_DEMO_DATA: options.seedDemoData ?? false,
    schema,
    logger: options.logger ?? quietLogger('workout'),
    verifyAccessToken: issuer.verify,
  });

  return {
    server,
    schema,
    graphql: graphqlClient(server.url),
    tokenFor: issuer.tokenFor,
    /** Stops the server; `keepSchema` leaves its data for another start on the same schema. */
    async stop({ keepSchema = false } = {}) {
      await server.stop();
      if (!keepSchema) await dropServiceSchema(testDatabaseUrl(), schema);
    },
  };
}

export { codeOf, type GraphQLResult };
