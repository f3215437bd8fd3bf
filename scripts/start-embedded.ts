// `npm start`: the whole supergraph in one process. With no DATABASE_URL each subgraph keeps its
// data in an embedded PGlite under .data/; with one, the same code uses that PostgreSQL server.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO_PASSWORD, demoAccounts, loadIdentityConfig, startIdentity } from '@fitnexa/identity';
import { createLogger } from '@fitnexa/shared/logger';
import { stopOnSignals } from '@fitnexa/shared/subgraph';
import { loadGatewayConfig, startGateway } from '@fitnexa/supergraph';

async function main() {
  const root = join(__dirname, '..');
  const env = { DATA_DIR: join(root, '.data'), SEED_DEMO_DATA: 'true', ...process.env };
  const gatewayConfig = loadGatewayConfig(env);
  const identityConfig = loadIdentityConfig(env);
  const logger = (service: string) => createLogger({ service, level: gatewayConfig.LOG_LEVEL });

  const identity = await startIdentity({
    ...identityConfig,
    PORT: 4001,
    logger: logger('identity'),
  });
  const gateway = await startGateway({
    supergraphSdl: readFileSync(gatewayConfig.SUPERGRAPH_PATH, 'utf8'),
    subgraphUrls: { identity: identity.url, ...gatewayConfig.subgraphUrls },
    jwksUrl: identity.jwksUrl,
    port: gatewayConfig.PORT,
    host: gatewayConfig.HOST,
    logger: logger('gateway'),
  });
  const everything = {
    stop: async () => {
      await gateway.stop();
      await identity.stop();
    },
  };
  stopOnSignals(everything, logger('start'));

  const storage = identityConfig.DATABASE_URL
    ? 'PostgreSQL (DATABASE_URL)'
    : `embedded PGlite in ${env.DATA_DIR}`;
  console.log(`
FitNexa supergraph is up: ${gateway.url} (Apollo Sandbox in a browser)
  data: ${storage}
  demo accounts (password "${DEMO_PASSWORD}"): ${demoAccounts.map((account) => account.email).join(', ')}
  try: mutation { login(input: { email: "${demoAccounts[0]!.email}", password: "${DEMO_PASSWORD}" }) { accessToken } }
       then { me { id email displayName } } with header  Authorization: Bearer <accessToken>
`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
