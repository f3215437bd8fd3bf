import {
  capturingLogger,
  codeOf,
  dropServiceSchema,
  graphqlClient,
  type GraphQLCall,
  type GraphQLResult,
  testDatabaseUrl,
  testRedisUrl,
  uniqueName,
} from '@fitnexa/shared/testing';
import { startIdentity, type IdentityServer } from '../src';
import { identitySettings } from './harness';

// Brute-force protection on login: identity alone, on the real PostgreSQL and Redis, over HTTP.

const MAX_FAILURES = 5;
const LOCKOUT_SECONDS = 60;

let identity: IdentityServer;
let graphql: GraphQLCall;
const logs = capturingLogger('identity');
const schema = uniqueName('fitnexa_identity');

beforeAll(async () => {
  identity = await startIdentity(
    identitySettings(schema, {
      REDIS_URL: testRedisUrl(),
      LOGIN_MAX_FAILURES: MAX_FAILURES,
      LOGIN_LOCKOUT_SECONDS: LOCKOUT_SECONDS,
      logger: logs.logger,
    }),
  );
  graphql = graphqlClient(identity.url, { service: 'identity' });
});
afterAll(async () => {
  await identity.stop();
  await dropServiceSchema(testDatabaseUrl(), schema);
});

let counter = 0;
async function signUp() {
  counter += 1;
  const credentials = {
    email: `throttled${counter}.${Date.now()}@example.test`,
    password: 'correct horse 42',
  };
  const result = await graphql(
    'mutation R($input: RegisterInput!) { register(input: $input) { user { id } } }',
    { input: { ...credentials, displayName: `User ${counter}` } },
  );
  return { ...credentials, id: result.data.register.user.id as string };
}

const login = (email: string, password: string) =>
  graphql('mutation L($input: LoginInput!) { login(input: $input) { accessToken } }', {
    input: { email, password },
  });

async function failTimes(email: string, times: number) {
  for (let i = 0; i < times; i += 1) {
    expect(codeOf(await login(email, `wrong password ${i}`))).toBe('UNAUTHENTICATED');
  }
}

const retryAfterOf = (result: GraphQLResult) =>
  (result.errors?.[0]?.extensions as { retryAfterSeconds?: number } | undefined)?.retryAfterSeconds;

const passwordChecksFor = (userId: string) =>
  logs.entries.filter((entry) => entry.message === 'login failed' && entry.userId === userId)
    .length;

describe('login throttling', () => {
  it('when an email has had 5 wrong passwords, then the 6th attempt, even with the right password, is RATE_LIMITED with retryAfterSeconds and its password is not checked', async () => {
    const member = await signUp();
    await failTimes(member.email, MAX_FAILURES);
    expect(passwordChecksFor(member.id)).toBe(MAX_FAILURES);

    const refused = await login(member.email, member.password);
    expect(codeOf(refused)).toBe('RATE_LIMITED');
    expect(refused.data).toBeNull();
    expect(retryAfterOf(refused)).toBeGreaterThanOrEqual(LOCKOUT_SECONDS - 2);
    expect(retryAfterOf(refused)).toBeLessThanOrEqual(LOCKOUT_SECONDS);
    expect(refused.errors?.[0]?.message).toMatch(/retry in \d+ s/);

    // The same email however it is typed; a wrong guess is refused without being checked either.
    const guessed = await login(`  ${member.email.toUpperCase()} `, 'another guess 1');
    expect(codeOf(guessed)).toBe('RATE_LIMITED');
    expect(passwordChecksFor(member.id)).toBe(MAX_FAILURES);
  });

  it('when one email is locked out, then other emails still sign in', async () => {
    const locked = await signUp();
    const other = await signUp();
    await failTimes(locked.email, MAX_FAILURES);
    expect(codeOf(await login(locked.email, locked.password))).toBe('RATE_LIMITED');

    const result = await login(other.email, other.password);
    expect(result.errors).toBeUndefined();
    expect(result.data.login.accessToken).toEqual(expect.any(String));
  });

  it('when a sign-in succeeds before the limit, then the count of failures starts again', async () => {
    const member = await signUp();
    await failTimes(member.email, MAX_FAILURES - 1);
    expect((await login(member.email, member.password)).data.login.accessToken).toEqual(
      expect.any(String),
    );

    await failTimes(member.email, MAX_FAILURES);
    expect(codeOf(await login(member.email, member.password))).toBe('RATE_LIMITED');
  });

  it('when the email has no account, then it is throttled the same way, so lockouts tell nothing about which emails exist', async () => {
    const email = `nobody.${Date.now()}@example.test`;
    await failTimes(email, MAX_FAILURES);
    const refused = await login(email, 'any guess 123');
    expect(codeOf(refused)).toBe('RATE_LIMITED');
    expect(retryAfterOf(refused)).toBeGreaterThan(0);
  });
});
