import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { quietLogger, TEST_SERVICE_TOKEN_SECRET } from '@fitnexa/shared/testing';
import { startGateway, subgraphsOf, type GatewayOptions } from '../src';

// The gateway as component tests start it: on port 0, over the checked-in supergraph, calling
// subgraphs (usually one stub standing in for all) with the test kit's service credential.

export const SUPERGRAPH_SDL = readFileSync(
  join(__dirname, '..', '..', 'schema', 'supergraph.graphql'),
  'utf8',
);

/** Every subgraph of the supergraph routed to `url`. */
export const everySubgraphAt = (url: string) =>
  Object.fromEntries(subgraphsOf(SUPERGRAPH_SDL).map(({ name }) => [name, url]));

/** startGateway with the tests' defaults (port 0, a quiet logger, the test credential); `options` win. */
export function startTestGateway(
  options: Pick<GatewayOptions, 'verifyAccessToken'> & Partial<GatewayOptions>,
) {
  return startGateway({
    supergraphSdl: SUPERGRAPH_SDL,
    serviceTokenSecret: TEST_SERVICE_TOKEN_SECRET,
    port: 0,
    host: '127.0.0.1',
    logger: quietLogger('gateway'),
    ...options,
  });
}
