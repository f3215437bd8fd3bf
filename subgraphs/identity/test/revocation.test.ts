import {
  codeOf,
  dropServiceSchema,
  graphqlClient,
  killProcess,
  sqlInSchema,
  startOwnRedis,
  testDatabaseUrl,
  uniqueName,
} from '@fitnexa/shared/testing';
import { decodeJwt } from 'jose';
import { startIdentity, type IdentityServer } from '../src';
import { identitySettings } from './harness';

// identity writes each revocation to Redis before deleteAccount or setUserRole answers; without
// Redis it refuses them, and changes nothing.

let identity: IdentityServer;
let redis: Awaited<ReturnType<typeof startOwnRedis>>;
const schema = uniqueName('fitnexa_identity');

beforeAll(async () => {
  redis = await startOwnRedis();
  identity = await startIdentity(
    identitySettings(schema, { REDIS_URL: redis.url, SEED_DEMO_DATA: true }),
  );
});
afterAll(async () => {
  await identity.stop();
  await killProcess(redis.process);
  await dropServiceSchema(testDatabaseUrl(), schema);
});

const graphql = (query: string, variables?: Record<string, unknown>, token?: string) =>
  graphqlClient(identity.url, { service: 'identity' })(query, variables, token);

async function signIn(email: string, password: string) {
  const result = await graphql(
    'mutation L($input: LoginInput!) { login(input: $input) { accessToken user { id } } }',
    { input: { email, password } },
  );
  return {
    id: result.data.login.user.id as string,
    token: result.data.login.accessToken as string,
  };
}

async function register() {
  const email = `revoked.${Date.now()}.${Math.random()}@example.test`;
  const password = 'correct horse 42';
  const result = await graphql(
    'mutation R($input: RegisterInput!) { register(input: $input) { accessToken user { id } } }',
    { input: { email, password, displayName: 'Soon gone' } },
  );
  return {
    id: result.data.register.user.id as string,
    token: result.data.register.accessToken,
    password,
  };
}

it('when identity signs a token, then it carries its issue time in milliseconds, in the second of iat', async () => {
  const user = await register();
  const claims = decodeJwt(user.token);
  expect(typeof claims.iat_ms).toBe('number');
  expect(Math.floor((claims.iat_ms as number) / 1000)).toBe(claims.iat);
});

it('when Redis is unreachable, then deleteAccount and setUserRole are SERVICE_UNAVAILABLE, nothing changes, and readiness lists revocations as degraded', async () => {
  const admin = await signIn('admin@fitnexa.dev', 'fitnexa-demo-1');
  const user = await register();

  await killProcess(redis.process);

  const deleted = await graphql(
    'mutation D($p: String!) { deleteAccount(password: $p) }',
    { p: user.password },
    user.token,
  );
  expect(codeOf(deleted)).toBe('SERVICE_UNAVAILABLE');
  const promoted = await graphql(
    'mutation R($id: ID!) { setUserRole(userId: $id, role: COACH) { id } }',
    { id: user.id },
    admin.token,
  );
  expect(codeOf(promoted)).toBe('SERVICE_UNAVAILABLE');
  expect(await sqlInSchema(schema)('SELECT role FROM "User" WHERE id = $1', [user.id])).toEqual([
    { role: 'MEMBER' },
  ]);
  // Tokens are still judged (on the last values read), so the user carries on.
  const me = await graphql('{ me { id } }', {}, user.token);
  expect(me.data).toEqual({ me: { id: user.id } });

  const response = await fetch(identity.url.replace('/graphql', '/health/ready'));
  const report = (await response.json()) as { status: string; degraded: string[] };
  expect(response.status).toBe(200);
  expect(report.degraded).toContain('revocations');
});
