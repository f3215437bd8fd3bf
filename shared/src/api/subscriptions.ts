import { createClient, type Client } from 'graphql-ws';
import { channel } from './channel';
import { FitnexaApiError, type GraphQLResponseError } from './errors';
import type { TypedOperation, VariablesArgs } from './operation';
import { memoryTokenStore, type TokenStore } from './tokens';

export interface FitnexaSubscriptionsOptions {
  /** The gateway's GraphQL endpoint, http(s):// or ws(s)://, e.g. https://api.fitnexa.app/graphql. */
  url: string;
  /** The session (the same store as the request client's); read at every (re)connection. */
  tokenStore?: TokenStore;
  /** A WebSocket class where there is no global one (Node < 22: `ws`'s). */
  webSocketImpl?: unknown;
  /** Reconnections after the connection drops (default 5); subscriptions are sent again. */
  retryAttempts?: number;
}

export interface SubscriptionHandlers<TResult> {
  /** Every event's data. */
  next(data: TResult): void;
  /** The subscription ended with errors (refused, unauthenticated, the server went away). */
  error?(error: FitnexaApiError): void;
  /** The server ended the subscription. */
  complete?(): void;
}

export interface FitnexaSubscriptions {
  /** Starts a subscription; returns the function that ends it. */
  subscribe<TResult, TVariables>(
    operation: TypedOperation<TResult, TVariables>,
    handlers: SubscriptionHandlers<TResult>,
    ...variables: VariablesArgs<TVariables>
  ): () => void;
  /** The subscription's events as an async iterator; `break` (or `return()`) ends it. */
  iterate<TResult, TVariables>(
    operation: TypedOperation<TResult, TVariables>,
    ...variables: VariablesArgs<TVariables>
  ): AsyncIterableIterator<TResult>;
  /** Ends every subscription and closes the connection. */
  close(): Promise<void>;
}

/** graphql-ws's close code for a refused connection_init (a bad or expired token). */
const FORBIDDEN_CLOSE = 4403;

/** What graphql-ws reports as an error, as a FitnexaApiError with a code. */
function apiErrorOf(error: unknown): FitnexaApiError {
  if (Array.isArray(error) && error.length > 0) {
    const errors = error as GraphQLResponseError[];
    const code = errors[0]!.extensions?.code;
    return new FitnexaApiError(errors[0]!.message, {
      code: typeof code === 'string' ? code : 'INTERNAL_SERVER_ERROR',
      status: null,
      errors,
    });
  }
  const closeCode = (error as { code?: unknown } | null)?.code;
  if (closeCode === FORBIDDEN_CLOSE) {
    return new FitnexaApiError('The FitNexa API refused the session', {
      code: 'UNAUTHENTICATED',
      status: null,
      cause: error,
    });
  }
  return new FitnexaApiError('The FitNexa API connection for subscriptions was lost', {
    code: 'NETWORK_ERROR',
    status: null,
    cause: error,
  });
}

/**
 * GraphQL subscriptions through the FitNexa gateway over graphql-ws (`graphql-transport-ws`), for
 * web and mobile: one WebSocket, opened with the first subscription and closed after the last,
 * authenticated with the stored access token, reconnecting (and subscribing again) when it drops.
 * A result with errors ends its subscription with a FitnexaApiError carrying the first error's code.
 */
export function createFitnexaSubscriptions(
  options: FitnexaSubscriptionsOptions,
): FitnexaSubscriptions {
  const tokenStore = options.tokenStore ?? memoryTokenStore();
  const client: Client = createClient({
    url: options.url.replace(/^http/, 'ws'),
    webSocketImpl: options.webSocketImpl,
    lazy: true,
    retryAttempts: options.retryAttempts ?? 5,
    connectionParams: async () => {
      const tokens = await tokenStore.get();
      return tokens ? { authorization: `Bearer ${tokens.accessToken}` } : {};
    },
  });

  function subscribe<TResult, TVariables>(
    operation: TypedOperation<TResult, TVariables>,
    handlers: SubscriptionHandlers<TResult>,
    ...[variables]: VariablesArgs<TVariables>
  ): () => void {
    let ended = false;
    let stop = () => {};
    const end = () => {
      ended = true;
      stop();
    };
    stop = client.subscribe<TResult>(
      {
        query: operation.document,
        operationName: operation.operationName,
        variables: (variables ?? {}) as Record<string, unknown>,
      },
      {
        next: (result) => {
          if (ended) return;
          if (result.errors?.length) {
            end();
            handlers.error?.(apiErrorOf(result.errors));
          } else if (result.data) {
            handlers.next(result.data as TResult);
          }
        },
        error: (error) => {
          if (ended) return;
          ended = true;
          handlers.error?.(apiErrorOf(error));
        },
        complete: () => {
          if (ended) return;
          ended = true;
          handlers.complete?.();
        },
      },
    );
    return end;
  }

  function iterate<TResult, TVariables>(
    operation: TypedOperation<TResult, TVariables>,
    ...variables: VariablesArgs<TVariables>
  ): AsyncIterableIterator<TResult> {
    // Ending the iteration ends the subscription (by then `subscribe` has returned `stop`).
    const feed = channel<TResult>(() => stop());
    const stop = subscribe(
      operation,
      {
        next: (data) => feed.push(Promise.resolve(data)),
        error: (error) => feed.end(error),
        complete: () => feed.end(),
      },
      ...variables,
    );
    return feed.iterator;
  }

  return {
    subscribe,
    iterate,
    async close() {
      await client.dispose();
    },
  };
}
