// `npm start`: the whole supergraph in one process. With no DATABASE_URL each subgraph keeps its
// data in an embedded PGlite under .data/ and caches in memory; with DATABASE_URL and REDIS_URL
// the same code uses those servers.
import { join } from 'node:path';
import { DEMO_PASSWORD, demoAccounts, loadIdentityConfig } from '@fitnexa/identity';
import { createMessageBus } from '@fitnexa/shared/bus';
import { createLogger } from '@fitnexa/shared/logger';
import { stopOnSignals } from '@fitnexa/shared/subgraph';
import { startLocalGraph } from './lib/graph';

async function main() {
  const root = join(__dirname, '..');
  const env = { DATA_DIR: join(root, '.data'), SEED_DEMO_DATA: 'true', ...process.env };
  const { LOG_LEVEL, DATABASE_URL, DATA_DIR, RABBITMQ_URL } = loadIdentityConfig(env);
  const logger = (service: string) => createLogger({ service, level: LOG_LEVEL });
  const bus = createMessageBus({ url: RABBITMQ_URL, name: 'fitnexa', logger: logger('bus') });
  const graph = await startLocalGraph({ env, logger, bus });
  stopOnSignals(
    {
      async stop() {
        await graph.stop();
        await bus.close();
      },
    },
    logger('start'),
  );

  const member = demoAccounts[0]!;
  console.log(`
FitNexa supergraph is up: ${graph.gateway.url} (Apollo Sandbox in a browser)
  subgraphs: ${Object.entries(graph.subgraphs)
    .map(([name, server]) => `${name} ${server.url}`)
    .join(', ')}
  data: ${DATABASE_URL ? 'PostgreSQL (DATABASE_URL)' : `embedded PGlite in ${DATA_DIR}`}
  events and logs: ${RABBITMQ_URL ? 'RabbitMQ (RABBITMQ_URL)' : 'an in-process bus'}
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
