import { createFitnexaClient, type FitnexaClient } from '@fitnexa/client';
import { createLogger, createLogsTransport, type Logger } from '@fitnexa/shared/logger';
import { DEMO_PASSWORD, DEMO_USERS } from '@fitnexa/shared/types';
import {
  dropServiceSchema,
  graphqlClient,
  quietLogger,
  type GraphQLCall,
  sqlInSchema,
  TEST_SERVICE_TOKEN_SECRET,
  testDatabaseUrl,
  testRedisUrl,
  uniqueName,
} from '@fitnexa/shared/testing';
import { startTestBus, type TestBus } from '@fitnexa/shared/testing/bus';
import { WebSocket } from 'ws';
import {
  SUBGRAPH_NAMES,
  startLocalGraph,
  type LocalGraph,
  type SubgraphName,
} from '../../scripts/lib/graph';

export interface SignedIn {
  id: string;
  token: string;
}

export interface Graph extends LocalGraph {
  /** Each subgraph's database schema: another instance of a service starts on the same data. */
  schemas: Record<SubgraphName, string>;
  /** The bus every service of the graph shares (namespaced on RabbitMQ for this graph alone). */
  bus: TestBus['bus'];
  /** SQL on a subgraph's own tables, behind its back: what is stored, whatever the API shows. */
  sql(service: SubgraphName, query: string, params?: unknown[]): Promise<any[]>;
  readiness(): Promise<{ status: number; body: any }>;
  /** Sends an operation through the gateway as the holder of `token`; throws on GraphQL errors. */
  as(token: string | null, query: string, variables?: Record<string, unknown>): Promise<any>;
  logIn(email: string, password: string): Promise<SignedIn>;
  /** A new account, signed in; a role other than MEMBER is given by the demo admin (seedDemoData). */
  /**
   * A fresh member, signed in; with a role, signed in again carrying it (an admin grants
   * GYM_OWNER or COACH; ADMIN is written in identity's table, as the first admin is made).
   */
  signUp(role?: 'GYM_OWNER' | 'COACH' | 'ADMIN'): Promise<SignedIn>;
  /** @fitnexa/client on this graph (subscriptions over `ws`); the caller closes it. */
  client(): FitnexaClient;
  /** Sends operations straight to a subgraph, past the gateway (as a caller inside the network could). */
  direct(name: SubgraphName): GraphQLCall;
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
    /** Another RabbitMQ than the machine's (one a test stops and starts). */
    rabbitmqUrl?: string;
    /**
     * Every service publishes its logs (from `http` up) to the bus, for observability to store;
     * off by default, so other tests do not pay for it. Still nothing on the console.
     */
    publishLogs?: boolean;
    /** Settings over the tests' defaults below (CORS_ORIGINS, say), as the environment gives them. */
    env?: Record<string, string>;
  } = {},
): Promise<Graph> {
  const databaseUrl = testDatabaseUrl();
  const schemas = Object.fromEntries(
    SUBGRAPH_NAMES.map((name) => [name, uniqueName(`fitnexa_${name}`)]),
  ) as Record<SubgraphName, string>;
  const testBus = startTestBus({ url: options.rabbitmqUrl });
  const logsTransports: ReturnType<typeof createLogsTransport>[] = [];
  const logger = (service: SubgraphName | 'gateway'): Logger => {
    const given = options.loggers?.[service];
    if (given || !options.publishLogs) return given ?? quietLogger(service);
    const transport = createLogsTransport({ bus: testBus.bus, service, level: 'http' });
    logsTransports.push(transport);
    return createLogger({ service, level: 'error', silent: true, transports: [transport] });
  };
  const dropSchemas = async () => {
    for (const transport of logsTransports) transport.close();
    await testBus.dispose();
    await Promise.all(
      Object.values(schemas).map((schema) => dropServiceSchema(databaseUrl, schema)),
    );
  };
  let graph: LocalGraph;
  try {
    graph = await startLocalGraph({
      env: {
        DATABASE_URL: databaseUrl,
        REDIS_URL: testRedisUrl(),
        DATA_DIR: 'memory://',
        SEED_DEMO_DATA: String(options.seedDemoData ?? false),
        // What the test kit signs its gateway credentials with (gatewayCredentialHeaders).
        SERVICE_TOKEN_SECRET: TEST_SERVICE_TOKEN_SECRET,
        // Every e2e file talks from 127.0.0.1 at once: the limits have tests of their own.
        RATE_LIMIT_PER_IP_PER_MINUTE: '0',
        RATE_LIMIT_PER_USER_PER_MINUTE: '0',
        // Likewise the graphql-ws connection caps (hundreds of clients of two users in one test).
        WS_CONNECTIONS_PER_IP: '100000',
        WS_CONNECTIONS_PER_USER: '100000',
        ...options.env,
      },
      ports: {
        gateway: 0,
        ...Object.fromEntries(SUBGRAPH_NAMES.map((name) => [name, 0])),
      },
      schemas,
      logger,
      bus: testBus.bus,
    });
  } catch (error) {
    await dropSchemas();
    throw error;
  }
  const url = graph.gateway.url;
  const post: Graph['post'] = async (body, headers = {}) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: await response.json() };
  };
  const as: Graph['as'] = async (token, query, variables = {}) => {
    const response = await post(
      { query, variables },
      token ? { authorization: `Bearer ${token}` } : {},
    );
    if (response.body.errors) throw new Error(JSON.stringify(response.body.errors));
    return response.body.data;
  };
  const logIn: Graph['logIn'] = async (email, password) => {
    const data = await as(
      null,
      'mutation L($input: LoginInput!) { login(input: $input) { accessToken user { id } } }',
      { input: { email, password } },
    );
    return { token: data.login.accessToken, id: data.login.user.id };
  };
  return {
    ...graph,
    schemas,
    bus: testBus.bus,
    sql: (service, query, params) => sqlInSchema(schemas[service])(query, params),
    as,
    logIn,
    async signUp(role) {
      const member = newMember();
      const client = createFitnexaClient({ url });
      await client.register(member);
      await client.close();
      const user = await logIn(member.email, member.password);
      if (!role) return user;
      if (role === 'ADMIN') {
        await sqlInSchema(schemas.identity)(`UPDATE "User" SET role = 'ADMIN' WHERE id = $1`, [
          user.id,
        ]);
      } else {
        const admin = await logIn(DEMO_USERS.admin.email, DEMO_PASSWORD);
        await as(
          admin.token,
          'mutation R($id: ID!, $role: Role!) { setUserRole(userId: $id, role: $role) { id } }',
          { id: user.id, role },
        );
      }
      // The role is in the access token: a new login carries it.
      return logIn(member.email, member.password);
    },
    get identity() {
      return graph.identity;
    },
    // After restartGateway, the new one.
    get gateway() {
      return graph.gateway;
    },
    direct: (name) => graphqlClient(graph.subgraphs[name].url, { service: name }),
    async readiness() {
      const response = await fetch(url.replace('/graphql', '/health/ready'));
      return { status: response.status, body: await response.json() };
    },
    client: () => createFitnexaClient({ url, webSocketImpl: WebSocket }),
    post,
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
