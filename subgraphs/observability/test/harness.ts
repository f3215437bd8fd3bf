import { randomUUID } from 'node:crypto';
import { createLogger, createLogsTransport, type Logger } from '@fitnexa/shared/logger';
import {
  graphqlClient,
  quietLogger,
  TEST_SERVICE_TOKEN_SECRET,
  testTokenIssuer,
  untilPasses,
  type GraphQLCall,
} from '@fitnexa/shared/testing';
import { startTestBus, type TestBus } from '@fitnexa/shared/testing/bus';
import { startObservability, type ObservabilityServer } from '../src';

// Component tests: observability alone, in-process on port 0, consuming a namespaced `logs`
// exchange on the real RabbitMQ, storing into MongoDB's in-process stand-in (or `mongodbUrl`),
// with access tokens signed by a key of the test's own.

export interface TestObservability {
  server: ObservabilityServer;
  bus: TestBus;
  graphql: GraphQLCall;
  adminToken: string;
  memberToken: string;
  /** A logger of another service, publishing to this service's `logs` exchange. */
  serviceLogger(service: string): Logger;
  /** Stops the service; `keepBus` leaves the bus for another start. */
  stop(options?: { keepBus?: boolean }): Promise<void>;
}

export async function startTestObservability(
  options: { retentionDays?: number; mongodbUrl?: string; bus?: TestBus } = {},
): Promise<TestObservability> {
  const bus = options.bus ?? startTestBus();
  // Connected before the consumer starts: its queue is bound before anything is published.
  await untilPasses(() => bus.bus.ping());
  const issuer = await testTokenIssuer();
  const transports: ReturnType<typeof createLogsTransport>[] = [];
  let server: ObservabilityServer;
  try {
    server = await startObservability({
      PORT: 0,
      HOST: '127.0.0.1',
      JWKS_URL: 'http://127.0.0.1:1/never-fetched',
      MONGODB_URL: options.mongodbUrl,
      LOG_RETENTION_DAYS: options.retentionDays ?? 14,
      SERVICE_TOKEN_SECRET: TEST_SERVICE_TOKEN_SECRET,
      logger: quietLogger('observability'),
      bus: bus.bus,
      verifyAccessToken: issuer.verify,
    });
  } catch (error) {
    await bus.dispose();
    throw error;
  }
  return {
    server,
    bus,
    graphql: graphqlClient(server.url, { service: 'observability' }),
    adminToken: await issuer.tokenFor({ userId: randomUUID(), role: 'ADMIN' }),
    memberToken: await issuer.tokenFor({ userId: randomUUID(), role: 'MEMBER' }),
    serviceLogger(service) {
      const transport = createLogsTransport({ bus: bus.bus, service, level: 'debug' });
      transports.push(transport);
      return createLogger({ service, level: 'debug', silent: true, transports: [transport] });
    },
    async stop({ keepBus = false } = {}) {
      await Promise.all(transports.map((transport) => transport.flush()));
      for (const transport of transports) transport.close();
      await server.stop();
      if (!keepBus) await bus.dispose();
    },
  };
}

export const LOGS_QUERY = `query Logs($filter: LogFilter, $first: Int) {
  logs(filter: $filter, first: $first) {
    id timestamp service level message correlationId details
  }
}`;
