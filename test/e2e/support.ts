import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startIdentity, type IdentityServer } from '@fitnexa/identity';
import { createFitnexaClient, type FitnexaClient } from '@fitnexa/shared/api';
import {
  dropServiceSchema,
  quietLogger,
  testDatabaseUrl,
  uniqueName,
} from '@fitnexa/shared/testing';
import type { Logger } from '@fitnexa/shared/logger';
import type { RunningServer } from '@fitnexa/shared/subgraph';
import { startGateway } from '@fitnexa/supergraph';

export const supergraphSdl = readFileSync(
  join(__dirname, '..', '..', 'schema', 'supergraph.graphql'),
  'utf8',
);

export interface Graph {
  identity: IdentityServer;
  /** Stops identity (the gateway keeps running), as an outage would. */
  stopIdentity(): Promise<void>;
  /** Starts identity again on the same port and schema. */
  restartIdentity(): Promise<void>;
  readiness(): Promise<{ status: number; body: any }>;
  gateway: RunningServer;
  databaseUrl: string;
  identitySchema: string;
  client(): FitnexaClient;
  post(
    body: unknown,
    headers?: Record<string, string>,
  ): Promise<{
    status: number; // GraphQL responses of any shape; the tests assert on them.
    body: any;
  }>;
  stop(): Promise<void>;
}

export function startIdentityOnPostgres(
  schema: string,
  port = 0,
  logger = quietLogger('identity'),
) {
  return startIdentity({
    PORT: port,
    HOST: '127.0.0.1',
    DATABASE_URL: testDatabaseUrl(),
    DATABASE_ROLE_PASSWORD: undefined,
    DATA_DIR: 'memory://',
    ACCESS_TOKEN_TTL_SECONDS: 900,
    REFRESH_TOKEN_TTL_DAYS: 30,
    SEED_DEMO_DATA: false,
    schema,
    logger,
  });
}

/** The composed graph on the real PostgreSQL: identity in its own fresh schema, gateway in front. */
export async function startGraph(options: { identityLogger?: Logger } = {}): Promise<Graph> {
  const databaseUrl = testDatabaseUrl();
  const identitySchema = uniqueName('fitnexa_identity');
  let identity = await startIdentityOnPostgres(identitySchema, 0, options.identityLogger);
  const gateway = await startGateway({
    supergraphSdl,
    subgraphUrls: { identity: identity.url },
    jwksUrl: identity.jwksUrl,
    port: 0,
    host: '127.0.0.1',
    logger: quietLogger('gateway'),
  });
  return {
    get identity() {
      return identity;
    },
    stopIdentity: () => identity.stop(),
    async restartIdentity() {
      identity = await startIdentityOnPostgres(
        identitySchema,
        identity.port,
        options.identityLogger,
      );
    },
    async readiness() {
      const response = await fetch(gateway.url.replace('/graphql', '/health/ready'));
      return { status: response.status, body: await response.json() };
    },
    gateway,
    databaseUrl,
    identitySchema,
    client: () => createFitnexaClient({ url: gateway.url }),
    async post(body, headers = {}) {
      const response = await fetch(gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
      return { status: response.status, body: await response.json() };
    },
    async stop() {
      await gateway.stop();
      await identity.stop();
      await dropServiceSchema(databaseUrl, identitySchema);
    },
  };
}

let counter = 0;
/** A fresh, valid registration. */
export function newMember(
  overrides: Partial<{ email: string; password: string; displayName: string }> = {},
) {
  counter += 1;
  return {
    email: `member${counter}.${Date.now()}@example.test`,
    password: 'correct horse 42',
    displayName: `Member ${counter}`,
    ...overrides,
  };
}
