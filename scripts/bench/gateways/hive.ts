// The other baseline: Hive Gateway's runtime on Node's HTTP server, passing the caller's
// authorization header on to the subgraphs, with the service credential they require; with its
// JavaScript query planner and executor unless given another (hive-router.ts).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createServiceTokenIssuer,
  GATEWAY_SERVICE,
  SERVICE_TOKEN_HEADER,
} from '@fitnexa/shared/auth';
import { createGatewayRuntime, type GatewayConfigSupergraph } from '@graphql-hive/gateway-runtime';
import type { GatewayConfig, StartedGateway } from '../protocol';

/** Hive Gateway's query planner and executor: absent, its JavaScript ones (see hive-router.ts). */
export type UnifiedGraphHandler = GatewayConfigSupergraph['unifiedGraphHandler'];

export async function startHive(
  supergraphSdl: string,
  { deduplication, serviceTokenSecret }: GatewayConfig,
  unifiedGraphHandler?: UnifiedGraphHandler,
): Promise<StartedGateway> {
  const serviceTokens = createServiceTokenIssuer({
    secret: serviceTokenSecret,
    issuer: GATEWAY_SERVICE,
  });
  const runtime = createGatewayRuntime({
    supergraph: supergraphSdl,
    logging: 'error',
    landingPage: false,
    graphqlEndpoint: '/graphql',
    transportEntries: { '*': { options: { deduplicateInflightRequests: deduplication } } },
    unifiedGraphHandler,
    propagateHeaders: {
      fromClientToSubgraphs: async ({ request, subgraphName }) => ({
        authorization: request.headers.get('authorization'),
        [SERVICE_TOKEN_HEADER]: await serviceTokens.tokenFor(subgraphName),
      }),
    },
  });
  const server = createServer((req, res) => void runtime(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await runtime.dispose();
    },
  };
}
