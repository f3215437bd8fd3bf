import { randomBytes } from 'node:crypto';
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT } from 'jose';
import Transport from 'winston-transport';
import {
  ACCESS_TOKEN_ALGORITHM,
  ACCESS_TOKEN_AUDIENCE,
  ACCESS_TOKEN_ISSUER,
  createAccessTokenVerifier,
  createServiceTokenIssuer,
  GATEWAY_SERVICE,
  SERVICE_TOKEN_HEADER,
} from '../auth';
import type { Principal } from '../types';
import { createLogger, type Logger } from '../logger/node';
import { withConnection } from '../db/postgres';
import type { RevocationStore } from '../auth/revocations';
import type { MessageBus } from '../bus';
import type { RunningServer } from '../server';
import type { ServiceSettings } from '../subgraph';
import { quoteIdent } from '../db/sql';

// Test-only helpers: names unique per test file so suites run side by side on one server.

/** The real PostgreSQL tests talk to: DATABASE_URL, or this machine's local server. */
export function testDatabaseUrl(): string {
  return process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
}

export function uniqueName(prefix: string): string {
  return `${prefix}_t${randomBytes(4).toString('hex')}`;
}

/** SQL on one schema of the test database, behind the service's back; the rows it returns. */
export function sqlInSchema(schema: string) {
  return (query: string, params: unknown[] = []) =>
    withConnection(testDatabaseUrl(), async (client) => {
      await client.query(`SET search_path TO ${quoteIdent(schema)}`);
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      return (await client.query(query, params)).rows as any[];
    });
}

/** Drops a schema and the role of the same name that provisioning created. */
export async function dropServiceSchema(url: string, schema: string): Promise<void> {
  await withConnection(url, async (client) => {
    await client.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
    await client.query(`DROP ROLE IF EXISTS ${quoteIdent(schema)}`);
  });
}

export function quietLogger(service = 'test'): Logger {
  return createLogger({ service, level: 'error', silent: true });
}

export interface CapturedEntry {
  level: string;
  message: string;
  [key: string]: unknown;
}

class MemoryTransport extends Transport {
  constructor(private readonly entries: CapturedEntry[]) {
    super();
  }

  override log(info: CapturedEntry, done: () => void) {
    this.entries.push(info);
    done();
  }
}

/** A logger whose entries the test can read, formatted as in production (correlation id included). */
export function capturingLogger(service: string): { logger: Logger; entries: CapturedEntry[] } {
  const entries: CapturedEntry[] = [];
  const logger = createLogger({
    service,
    level: 'debug',
    silent: true,
    transports: [new MemoryTransport(entries)],
  });
  return { logger, entries };
}

/** The real Redis tests talk to: REDIS_URL, or this machine's local server. */
export function testRedisUrl(): string {
  return process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
}

/**
 * Signs access tokens as identity does, with a key of the test's own: a subgraph under test
 * verifies with `verify`, and tests act as any principal with `tokenFor`.
 */
export async function testTokenIssuer() {
  const { privateKey, publicKey } = await generateKeyPair(ACCESS_TOKEN_ALGORITHM, {
    crv: 'Ed25519',
  });
  const kid = 'test-key';
  const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid, alg: ACCESS_TOKEN_ALGORITHM }] };
  return {
    verify: createAccessTokenVerifier({ keys: createLocalJWKSet(jwks) }),
    tokenFor: (principal: Principal) =>
      new SignJWT({ role: principal.role })
        .setProtectedHeader({ alg: ACCESS_TOKEN_ALGORITHM, kid })
        .setSubject(principal.userId)
        .setIssuer(ACCESS_TOKEN_ISSUER)
        .setAudience(ACCESS_TOKEN_AUDIENCE)
        .setIssuedAt()
        .setExpirationTime('10m')
        .sign(privateKey),
  };
}

/** The SERVICE_TOKEN_SECRET of every service tests start (startTestService, the e2e graph). */
export const TEST_SERVICE_TOKEN_SECRET = 'fitnexa-test-service-token-secret-not-for-production';

const testGatewayCredentials = createServiceTokenIssuer({
  secret: TEST_SERVICE_TOKEN_SECRET,
  issuer: GATEWAY_SERVICE,
});

/**
 * The header the gateway adds to its calls to `service` (a subgraph's name), signed with
 * TEST_SERVICE_TOKEN_SECRET: what a test needs to call a subgraph directly, as the gateway.
 */
export async function gatewayCredentialHeaders(service: string): Promise<Record<string, string>> {
  return { [SERVICE_TOKEN_HEADER]: await testGatewayCredentials.tokenFor(service) };
}

/** A GraphQL response as tests read it: data left loose, errors with their codes. */
export interface GraphQLResult {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  data?: any;
  errors?: { message: string; path?: (string | number)[]; extensions: { code: string } }[];
}

export type GraphQLCall = (
  query: string,
  variables?: Record<string, unknown>,
  token?: string,
) => Promise<GraphQLResult>;

/**
 * POSTs operations to a GraphQL endpoint over HTTP, as a client would, with an optional bearer
 * token. With `service` (a subgraph's name), as the gateway calls that subgraph: with its credential.
 */
export function graphqlClient(url: string, options: { service?: string } = {}): GraphQLCall {
  return async (query, variables = {}, token) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(options.service ? await gatewayCredentialHeaders(options.service) : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as GraphQLResult;
  };
}

/** The code of a result's first error. */
export const codeOf = (result: GraphQLResult) => result.errors?.[0]?.extensions.code;

export interface TestServiceOptions {
  /** Default: the real Redis; `undefined` for the in-process cache, a closed port for an outage. */
  redisUrl?: string;
  logger?: Logger;
  seedDemoData?: boolean;
  /** Default: a fresh schema; pass one to start again on the data of an earlier start. */
  schema?: string;
  /** Default: a bus of the service's own; a test bus (startTestBus) to see or send events. */
  bus?: MessageBus;
  /** Default: one of the service's own on the same Redis, under a prefix of the test's own. */
  revocations?: RevocationStore;
}

/**
 * A subgraph for component tests: in-process on port 0, on the real PostgreSQL (in a schema of its
 * own) and Redis, verifying access tokens signed by a key of the test's own, spoken to over HTTP
 * as the gateway speaks to it (with the gateway's service credential).
 */
export async function startTestService<Server extends RunningServer>(
  service: string,
  start: (
    settings: ServiceSettings & { JWKS_URL: string; SEED_DEMO_DATA: boolean },
  ) => Promise<Server>,
  options: TestServiceOptions = {},
) {
  const schema = options.schema ?? uniqueName(`fitnexa_${service}`);
  const issuer = await testTokenIssuer();
  const server = await start({
    PORT: 0,
    HOST: '127.0.0.1',
    DATABASE_URL: testDatabaseUrl(),
    DATA_DIR: 'memory://',
    REDIS_URL: 'redisUrl' in options ? options.redisUrl : testRedisUrl(),
    JWKS_URL: 'http://127.0.0.1:1/never-fetched',
    SERVICE_TOKEN_SECRET: TEST_SERVICE_TOKEN_SECRET,
    SEED_DEMO_DATA: options.seedDemoData ?? false,
    schema,
    logger: options.logger ?? quietLogger(service),
    verifyAccessToken: issuer.verify,
    bus: options.bus,
    revocations: options.revocations,
    // Test runs side by side on one Redis never refuse each other's tokens (demo users share ids).
    revocationsPrefix: `revocations_${schema}`,
  });
  return {
    server,
    schema,
    graphql: graphqlClient(server.url, { service }),
    tokenFor: issuer.tokenFor,
    /** SQL on the service's own tables, behind its back (e.g. to let stored time pass). */
    sql: sqlInSchema(schema),
    /** Stops the server; `keepSchema` leaves its data for another start on the same schema. */
    async stop({ keepSchema = false } = {}) {
      await server.stop();
      if (!keepSchema) await dropServiceSchema(testDatabaseUrl(), schema);
    },
  };
}

/**
 * Fields of entities asked for as another subgraph (or the gateway) asks: through `_entities`.
 * `variableTypes` declares the variables `selection` uses, e.g. `{ $range: 'StatsRange!' }`.
 */
export function entityFields(
  graphql: GraphQLCall,
  typename: string,
  ids: string[],
  selection: string,
  options: {
    token?: string;
    variables?: Record<string, unknown>;
    variableTypes?: Record<string, string>;
  } = {},
): Promise<GraphQLResult> {
  const declared = [...new Set(selection.match(/\$\w+/g))]
    .map((variable) => `, ${variable}: ${options.variableTypes?.[variable] ?? 'String'}`)
    .join('');
  return graphql(
    `query E($representations: [_Any!]!${declared}) { _entities(representations: $representations) { ... on ${typename} { ${selection} } } }`,
    { representations: ids.map((id) => ({ __typename: typename, id })), ...options.variables },
    options.token,
  );
}
export { aUser, dataOf, type TestUser } from './factories';
export {
  closedWhileRedisHangs,
  freePort,
  killProcess,
  startOwnRabbit,
  startOwnRedis,
  type OwnRabbit,
} from './processes';

/** Retries an assertion (sync or async) until it passes, or rethrows its last failure. */
export async function untilPasses<T>(
  assertion: () => T | Promise<T>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await assertion();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}
