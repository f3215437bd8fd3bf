import { ApolloClient, InMemoryCache } from '@apollo/client';
import { ApolloLink } from '@apollo/client/link';
import { HttpLink } from '@apollo/client/link/http';
import { getMainDefinition } from '@apollo/client/utilities';
import { print, type FormattedExecutionResult } from 'graphql';
import { authLink, WITHOUT_SESSION } from './auth-link.js';
import {
  LoginDocument,
  LogoutDocument,
  MeDocument,
  RefreshTokenDocument,
  RegisterDocument,
  type LoginInput,
  type RefreshTokenMutation,
  type RegisterInput,
  type SessionUserFragment,
} from './generated/graphql.js';
import { createSession, RefreshRefused, type Session } from './session.js';
import { subscriptionsLink } from './subscriptions-link.js';
import { memoryTokenStore, type TokenStore } from './tokens.js';

/** The part of `fetch` the client uses; any WHATWG fetch (browser, React Native, Node 20+) fits. */
export type FetchFunction = (url: string, init: RequestInit) => Promise<Response>;

// Signing in and out go without the stored session: a stale token must not trigger a refresh.
const ANONYMOUS = { [WITHOUT_SESSION]: true };

export interface FitnexaClientOptions {
  /** The gateway's GraphQL endpoint, e.g. https://api.fitnexa.app/graphql. */
  url: string;
  /** Where the session is kept; defaults to memory. */
  tokenStore?: TokenStore;
  /** Defaults to the global `fetch`, looked up per request (a polyfill installed later still works). */
  fetch?: FetchFunction;
  /** A WebSocket class for subscriptions where there is no global one (Node 20: `ws`'s). */
  webSocketImpl?: unknown;
  /** Sent with every HTTP request (e.g. apollographql-client-name). */
  headers?: Record<string, string>;
}

export interface FitnexaClient {
  /** Apollo Client for every operation: queries and mutations over HTTP, subscriptions over graphql-ws. */
  apollo: ApolloClient;
  session: Session;
  /** Creates an account and signs in as it. */
  register(input: RegisterInput): Promise<SessionUserFragment>;
  logIn(input: LoginInput): Promise<SessionUserFragment>;
  /** Signs out locally (and clears the cache), then ends the session on the server. */
  logOut(): Promise<void>;
  me(): Promise<SessionUserFragment>;
  /** Closes the subscriptions' WebSocket and stops the client. */
  close(): Promise<void>;
}

/**
 * Apollo Client wired to the FitNexa gateway: the session's token on every request, one shared
 * refresh (with rotation) when it is refused, and subscriptions over graphql-ws.
 */
export function createFitnexaClient(options: FitnexaClientOptions): FitnexaClient {
  const { url, headers = {} } = options;
  const fetchFunction: FetchFunction =
    options.fetch ?? ((input, init) => globalThis.fetch(input, init));

  // Straight to the gateway, past Apollo's links: a refused refresh must not trigger a refresh.
  async function refreshTokens(refreshToken: string) {
    const response = await fetchFunction(url, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({
        query: print(RefreshTokenDocument),
        operationName: 'RefreshToken',
        variables: { refreshToken },
      }),
    });
    const result = (await response.json()) as FormattedExecutionResult<RefreshTokenMutation>;
    if (result.errors?.length) throw new RefreshRefused(result.errors[0]!.message);
    if (!result.data) throw new Error(`The refresh was answered HTTP ${response.status}`);
    return result.data.refreshToken;
  }

  const session = createSession(options.tokenStore ?? memoryTokenStore(), refreshTokens);
  const http = new HttpLink({
    uri: url,
    headers,
    fetch: (input, init) => fetchFunction(String(input), init ?? {}),
  });
  const live = subscriptionsLink({ url, session, webSocketImpl: options.webSocketImpl });
  const apollo = new ApolloClient({
    cache: new InMemoryCache(),
    link: ApolloLink.split(
      ({ query }) => {
        const definition = getMainDefinition(query);
        return definition.kind === 'OperationDefinition' && definition.operation === 'subscription';
      },
      live.link,
      authLink(session).concat(http),
    ),
  });

  async function signIn<T extends { user: SessionUserFragment } & Parameters<Session['start']>[0]>(
    payload: T,
  ) {
    await apollo.clearStore();
    await session.start(payload);
    return payload.user;
  }

  return {
    apollo,
    session,
    register: async (input) => {
      const { data } = await apollo.mutate({
        mutation: RegisterDocument,
        variables: { input },
        context: ANONYMOUS,
      });
      return signIn(data!.register);
    },
    logIn: async (input) => {
      const { data } = await apollo.mutate({
        mutation: LoginDocument,
        variables: { input },
        context: ANONYMOUS,
      });
      return signIn(data!.login);
    },
    logOut: async () => {
      const tokens = await session.end();
      await apollo.clearStore();
      if (tokens !== null) {
        await apollo.mutate({
          mutation: LogoutDocument,
          variables: { refreshToken: tokens.refreshToken },
          context: ANONYMOUS,
        });
      }
    },
    me: async () => {
      const { data } = await apollo.query({ query: MeDocument, fetchPolicy: 'network-only' });
      return data!.me;
    },
    close: async () => {
      apollo.stop();
      await live.dispose();
    },
  };
}
