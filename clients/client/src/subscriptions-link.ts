import { ApolloLink } from '@apollo/client/link';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { createClient, type Client } from 'graphql-ws';
import type { Session } from './session.js';

export interface SubscriptionsLinkOptions {
  /** The gateway's GraphQL endpoint, http(s):// or ws(s)://. */
  url: string;
  session: Session;
  /** A WebSocket class where there is no global one (Node 20: `ws`'s). */
  webSocketImpl?: unknown;
  /** Reconnections after the connection drops (default 5); subscriptions are sent again. */
  retryAttempts?: number;
}

/**
 * Subscriptions over graphql-ws (`graphql-transport-ws`) through the gateway: one WebSocket, opened
 * with the first subscription and closed after the last, authenticated in connection_init with the
 * session's access token (renewed first when it has expired), read again at every reconnection.
 * The graphql-ws client is made at the first subscription, so that an app without subscriptions
 * needs no WebSocket (Node 20 has none).
 */
export function subscriptionsLink(options: SubscriptionsLinkOptions): {
  link: ApolloLink;
  /** Closes the WebSocket, if one was opened. */
  dispose(): Promise<void>;
} {
  let ws: { client: Client; link: GraphQLWsLink } | undefined;
  const connect = () => {
    ws ??= wsLink(options);
    return ws.link;
  };
  return {
    link: new ApolloLink((operation) => connect().request(operation)),
    dispose: async () => {
      await ws?.client.dispose();
    },
  };
}

function wsLink(options: SubscriptionsLinkOptions): { client: Client; link: GraphQLWsLink } {
  const client = createClient({
    url: options.url.replace(/^http/, 'ws'),
    webSocketImpl: options.webSocketImpl,
    lazy: true,
    retryAttempts: options.retryAttempts ?? 5,
    connectionParams: async () => {
      const accessToken = await options.session.freshAccessToken();
      return accessToken === null ? {} : { authorization: `Bearer ${accessToken}` };
    },
  });
  return { link: new GraphQLWsLink(client), client };
}
