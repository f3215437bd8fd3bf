// First: tracing (when configured) starts before the modules it instruments load; each server's
// spans carry its own service.name (see docs/observability.md).
import '@fitnexa/shared/telemetry/register';
import './lib/mongo-early';
import './lib/pglite-early';
// `npm start`: the whole supergraph in one process. With no DATABASE_URL each subgraph keeps its
// data in an embedded PGlite under .data/ and caches in memory; with DATABASE_URL and REDIS_URL
// the same code uses those servers.
import { join } from 'node:path';
import { DEMO_PASSWORD, demoAccounts, loadIdentityConfig } from '@fitnexa/identity';
import { loadObservabilityConfig } from '@fitnexa/observability';
import { loadGatewayConfig } from '@fitnexa/supergraph';
import { BusUnavailableError, createMessageBus, type MessageBus } from '@fitnexa/shared/bus';
import {
  createLogger,
  createLogsTransport,
  publishedLogLevel,
  type LogsTransport,
} from '@fitnexa/shared/logger';
import { handleProcessFaults, stopOnSignals } from '@fitnexa/shared/server';
import { processTelemetry } from '@fitnexa/shared/telemetry';
import { SUBGRAPH_NAMES, startLocalGraph, type LocalGraph } from './lib/graph';

/**
 * SUBGRAPHS_FIRST_PORT moves the subgraphs off rover.yaml's 4001–4006 (identity on it, the others
 * after it in that order), so that a second graph can run beside one (benchmarks); the gateway is
 * given their addresses, not rover.yaml's.
 */
function subgraphPorts(firstPort: string | undefined) {
  if (!firstPort) return undefined;
  const first = Number(firstPort);
  if (!Number.isInteger(first) || first < 1 || first > 65_530) {
    throw new Error(`SUBGRAPHS_FIRST_PORT must be a port number, not "${firstPort}"`);
  }
  return Object.fromEntries(SUBGRAPH_NAMES.map((name, index) => [name, first + index]));
}

async function main() {
  const root = join(__dirname, '..');
  // The console shows warnings and errors unless LOG_LEVEL says otherwise: the start-up lines and
  // the seeded events handled after the gateway is up would otherwise bury the banner below. Every
  // entry from `http` up still reaches observability's store (publishedLogLevel).
  const env = {
    DATA_DIR: join(root, '.data'),
    SEED_DEMO_DATA: 'true',
    LOG_LEVEL: 'warn',
    ...process.env,
  };
  const { LOG_LEVEL, DATABASE_URL, DATA_DIR, RABBITMQ_URL } = loadIdentityConfig(env);
  // Every service's logger also publishes to the bus's `logs` exchange, which observability
  // consumes; the bus is created after its own logger, so the transports reach it by reference.
  const created: { bus?: MessageBus } = {};
  const publish: MessageBus['publish'] = (...args) =>
    created.bus
      ? created.bus.publish(...args)
      : Promise.reject(new BusUnavailableError('starting'));
  const logsTransports: LogsTransport[] = [];
  const logger = (service: string) => {
    const transport = createLogsTransport({
      bus: { publish },
      service,
      level: publishedLogLevel(LOG_LEVEL),
    });
    logsTransports.push(transport);
    return createLogger({ service, level: LOG_LEVEL, transports: [transport] });
  };
  const bus = createMessageBus({ url: RABBITMQ_URL, name: 'fitnexa', logger: logger('bus') });
  created.bus = bus;
  const started: { graph?: LocalGraph } = {};
  const stop = async () => {
    await started.graph?.stop();
    await Promise.all(logsTransports.map((transport) => transport.flush(2_000)));
    await bus.close();
    await processTelemetry().shutdown();
  };
  // As runService does for one server: faults nobody caught are logged, an exception stops all.
  handleProcessFaults(logger('start'), stop);
  const graph = (started.graph = await startLocalGraph({
    env,
    logger,
    bus,
    ports: subgraphPorts(process.env.SUBGRAPHS_FIRST_PORT),
  }));
  stopOnSignals({ stop }, logger('start'));

  const member = demoAccounts[0]!;
  const gatewayConfig = loadGatewayConfig(env);
  const origin = new URL(graph.gateway.url).origin;
  const explorer = gatewayConfig.explorer
    ? `${origin}/explorer (GraphiQL, offline too)`
    : 'off (EXPLORER=false or production)';
  const statusPage = gatewayConfig.statusPage
    ? `${origin}/status`
    : 'off (STATUS_PAGE=false or production)';
  console.log(`
FitNexa supergraph is up: ${graph.gateway.url}
  explorer: ${explorer}
  status: ${statusPage}
  subgraphs: ${Object.entries(graph.subgraphs)
    .map(([name, server]) => `${name} ${server.url}`)
    .join(', ')}
  data: ${DATABASE_URL ? 'PostgreSQL (DATABASE_URL)' : `embedded PGlite in ${DATA_DIR}`}
  console logs: ${LOG_LEVEL} and above (LOG_LEVEL=info npm start for the start-up lines)
  events and logs: ${RABBITMQ_URL ? 'RabbitMQ (RABBITMQ_URL)' : 'an in-process bus'}; logs kept by observability in ${loadObservabilityConfig(env).MONGODB_URL ? 'MongoDB (MONGODB_URL)' : 'an in-process MongoDB stand-in (memory only)'}
  demo accounts (password "${DEMO_PASSWORD}"): ${demoAccounts.map((account) => account.email).join(', ')}
  try: mutation { login(input: { email: "${member.email}", password: "${DEMO_PASSWORD}" }) { accessToken } }
       then, with header  Authorization: Bearer <accessToken>:
       { me { displayName memberships(status: ACTIVE) { gym { name } }
              workoutSessions(first: 5) { edges { node { startedAt sets { reps weightKg exercise { name } } } } }
              personalRecords { kind value exercise { name } } } }
`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
