import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { quietLogger, TEST_SERVICE_TOKEN_SECRET } from '@fitnexa/shared/testing';
import { buildSchema, parse, type ExecutionArgs, type ExecutionResult } from 'graphql';
import type { Context, SubscribePayload } from 'graphql-ws';
import { useServer, type Extra } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
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

/** A GraphQL request as the gateway sends it to a subgraph. */
export interface SubgraphRequest {
  query: string;
  variables?: Record<string, unknown>;
}

/**
 * A stand-in subgraph over HTTP on a free loopback port: `answer` gets each GraphQL request the
 * gateway sends (with the HTTP request, for its URL and headers) and writes the response.
 */
export async function serveStubSubgraph(
  answer: (request: SubgraphRequest, req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ server: Server; base: string }> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => answer(JSON.parse(body) as SubgraphRequest, req, res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/**
 * A stand-in subgraph's graphql-ws on `server`'s `/graphql`: every subscription, whatever its
 * query, is `subscribe`'s to feed (with `contextOf`'s value, given the connection, the subscribe
 * payload and the subscription's id, as its context). Listens on a free loopback port and resolves
 * to the stub's `/graphql` URL.
 */
export async function serveStubSubscriptions(
  server: Server,
  subscribe: (args: ExecutionArgs) => AsyncIterableIterator<ExecutionResult>,
  contextOf?: (
    ctx: Context<Record<string, unknown>, Extra>,
    payload: SubscribePayload,
    id: string,
  ) => unknown,
): Promise<{ url: string; wss: WebSocketServer }> {
  const wss = new WebSocketServer({ server, path: '/graphql' });
  const anySchema = buildSchema('type Query { ok: Boolean }');
  useServer(
    {
      onSubscribe: (ctx, id, payload) => ({
        schema: anySchema,
        document: parse(payload.query),
        variableValues: payload.variables,
        contextValue: contextOf?.(ctx, payload, id),
      }),
      subscribe,
    },
    wss,
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`, wss };
}
