// The baseline: Apollo Gateway on Apollo Server's standalone HTTP server with their defaults,
// passing the caller's authorization header on to the subgraphs, with the service credential
// they require (as ours sends it), and nothing else.
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import {
  createServiceTokenIssuer,
  GATEWAY_SERVICE,
  SERVICE_TOKEN_HEADER,
} from '@fitnexa/shared/auth';
import type { GatewayConfig, StartedGateway } from '../protocol';

interface Context {
  authorization: string | undefined;
}

export async function startPlainApollo(
  supergraphSdl: string,
  { subgraphUrls, serviceTokenSecret }: GatewayConfig,
): Promise<StartedGateway> {
  const serviceTokens = createServiceTokenIssuer({
    secret: serviceTokenSecret,
    issuer: GATEWAY_SERVICE,
  });
  const server = new ApolloServer<Context>({
    gateway: new ApolloGateway({
      supergraphSdl,
      buildService: ({ name, url }) =>
        new RemoteGraphQLDataSource<Context>({
          url: subgraphUrls[name] ?? url,
          async willSendRequest({ request, context }) {
            request.http?.headers.set(SERVICE_TOKEN_HEADER, await serviceTokens.tokenFor(name));
            if (context.authorization) {
              request.http?.headers.set('authorization', context.authorization);
            }
          },
        }),
    }),
  });
  const { url } = await startStandaloneServer(server, {
    listen: { port: 0, host: '127.0.0.1' },
    context: async ({ req }) => ({ authorization: req.headers.authorization }),
  });
  return { url, stop: () => server.stop() };
}
