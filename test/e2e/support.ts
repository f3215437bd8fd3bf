import { createFitnexaClient, type FitnexaClient } from '@fitnexa/shared/api';
import type { Logger } from '@fitnexa/shared/logger';
import {
  dropServiceSchema,
  quietLogger,
  testDatabaseUrl,
  testRedisUrl,
  uniqueName,
} from '@fitnexa/shared/testing';
import {
  SUBGRAPH_NAMES,
  startLocalGraph,
  type LocalGraph,
  type SubgraphName,
} from '../../scripts/lib/graph';

export interface Graph extends LocalGraph {
  readiness(): Promise<{ status: number; body: any }>;
  client(): FitnexaClient;
  post(
    body: unknown,
    headers?: Record<string, string>,
  ): Promise<{
    status: number; // GraphQL responses of any shape; the tests assert on them.
    body: any;
  }>;
}

/**
 * The composed graph on the real PostgreSQL and Redis: every subgraph in a fresh schema of its own,
 * on free ports, the gateway in front. `loggers` replaces a service's quiet logger.
 */
export async function startGraph(
  options: {
    loggers?: Partial<Record<SubgraphName | 'gateway', Logger>>;
    /** Seed the embedded default's demo accounts, gyms and workouts into the fresh schemas. */
    seedDemoData?: boolean;
  } = {},
): Promise<Graph> {
  const databaseUrl = testDatabaseUrl();
  const schemas = Object.fromEntries(
    SUBGRAPH_NAMES.map((name) => [name, uniqueName(`fitnexa_${name}`)]),
  ) as Record<SubgraphName, string>;
  const dropSchemas = () =>
    Promise.all(Object.values(schemas).map((schema) => dropServiceSchema(databaseUrl, schema)));
  let graph: LocalGraph;
  try {
    graph = await startLocalGraph({
      env: {
        DATABASE_URL: databaseUrl,
        REDIS_URL: testRedisUrl(),
        DATA_DIR: 'memory://',
        SEED_DEMO_DATA: String(options.seedDemoData ?? false),
      },
      ports: { gateway: 0, identity: 0, gym: 0, workout: 0 },
      schemas,
      logger: (service) => options.loggers?.[service] ?? quietLogger(service),
    });
  } catch (error) {
    await dropSchemas();
    throw error;
  }
  const url = graph.gateway.url;
  return {
    ...graph,
    get identity() {
      return graph.identity;
    },
    async readiness() {
      const response = await fetch(url.replace('/graphql', '/health/ready'));
      return { status: response.status, body: await response.json() };
    },
    client: () => createFitnexaClient({ url }),
    async post(body, headers = {}) {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
      return { status: response.status, body: await response.json() };
    },
    async stop() {
      await graph.stop();
      await dropSchemas();
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
