import type { UserProfile } from '../types';
import { FitnexaApiError, type GraphQLResponseError } from './errors';
import type { TypedOperation, VariablesArgs } from './operation';
import {
  Login,
  Logout,
  Me,
  RefreshToken,
  Register,
  type AuthPayload,
  type LoginInput,
  type RegisterInput,
} from './operations';
import { memoryTokenStore, type TokenStore, type Tokens } from './tokens';

/** The part of `fetch` the client uses; any WHATWG fetch (browser, React Native, Node 20+) fits. */
export type FetchFunction = (url: string, init: RequestInit) => Promise<Response>;

export interface FitnexaClientOptions {
  /** The GraphQL endpoint, e.g. https://api.fitnexa.app/graphql. */
  url: string;
  /** Defaults to the global `fetch`. */
  fetch?: FetchFunction;
  /** Where the session is kept; defaults to memory. */
  tokenStore?: TokenStore;
  /** Sent with every request (e.g. apollographql-client-name). */
  headers?: Record<string, string>;
}

export interface FitnexaClient {
  /**
   * Runs an operation as the signed-in user (if any) and resolves to its data. When the access
   * token is rejected, renews the session once and retries. Rejects with a FitnexaApiError.
   */
  request<TResult, TVariables>(
    operation: TypedOperation<TResult, TVariables>,
    ...variables: VariablesArgs<TVariables>
  ): Promise<TResult>;
  /** Creates an account and signs in as it. */
  register(input: RegisterInput): Promise<UserProfile>;
  login(input: LoginInput): Promise<UserProfile>;
  /** Signs out locally, then ends the session on the server. */
  logout(): Promise<void>;
  me(): Promise<UserProfile>;
}

export function createFitnexaClient(options: FitnexaClientOptions): FitnexaClient {
  const { url, headers = {}, tokenStore = memoryTokenStore() } = options;
  // Looked up per call so that a fetch polyfill installed after the client was created still works.
  const fetchFunction: FetchFunction =
    options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  // The refresh in flight, shared by every request that was rejected meanwhile.
  let renewal: Promise<Tokens | null> | null = null;

  async function send<TResult, TVariables>(
    operation: TypedOperation<TResult, TVariables>,
    variables: TVariables | undefined,
    accessToken: string | null,
  ): Promise<TResult> {
    let response: Response;
    let text: string;
    try {
      response = await fetchFunction(url, {
        method: 'POST',
        headers: {
          ...headers,
          'content-type': 'application/json',
          ...(accessToken === null ? {} : { authorization: `Bearer ${accessToken}` }),
        },
        body: JSON.stringify({
          query: operation.document,
          operationName: operation.operationName,
          variables: variables ?? {},
        }),
      });
      text = await response.text();
    } catch (cause) {
      throw new FitnexaApiError(`Could not reach the FitNexa API at ${url}`, {
        code: 'NETWORK_ERROR',
        status: null,
        cause,
      });
    }
    return readResult<TResult>(response.status, text);
  }

  async function request<TResult, TVariables>(
    operation: TypedOperation<TResult, TVariables>,
    ...[variables]: VariablesArgs<TVariables>
  ): Promise<TResult> {
    const tokens = await tokenStore.get();
    try {
      return await send(operation, variables, tokens?.accessToken ?? null);
    } catch (error) {
      if (tokens === null || !isUnauthenticated(error)) throw error;
      const renewed = await renewSession(tokens.accessToken);
      if (renewed === null) throw error;
      return send(operation, variables, renewed.accessToken);
    }
  }

  /** Resolves to the session to retry with, or null when the user is signed out. */
  function renewSession(rejectedAccessToken: string): Promise<Tokens | null> {
    renewal ??= refreshUnlessRenewed(rejectedAccessToken).finally(() => {
      renewal = null;
    });
    return renewal;
  }

  async function refreshUnlessRenewed(rejectedAccessToken: string): Promise<Tokens | null> {
    const current = await tokenStore.get();
    // Renewed (or signed out) since the rejected request was sent: retry with that session rather
    // than rotating the tokens again.
    if (current === null || current.accessToken !== rejectedAccessToken) return current;
    let payload: AuthPayload;
    try {
      const result = await send(RefreshToken, { refreshToken: current.refreshToken }, null);
      payload = result.refreshToken;
    } catch (error) {
      // No GraphQL answer (network failure, proxy error): the refresh token may still be good.
      if (error instanceof FitnexaApiError && error.errors.length === 0) throw error;
      await tokenStore.set(null);
      return null;
    }
    // The user may have signed out, or in again, while the refresh was in flight.
    if ((await tokenStore.get())?.refreshToken !== current.refreshToken) return null;
    const renewed = toTokens(payload);
    await tokenStore.set(renewed);
    return renewed;
  }

  async function startSession(payload: AuthPayload): Promise<UserProfile> {
    await tokenStore.set(toTokens(payload));
    return payload.user;
  }

  return {
    request,
    // Sign-in calls go without the stored session: a stale token must not trigger a refresh.
    register: async (input) => startSession((await send(Register, { input }, null)).register),
    login: async (input) => startSession((await send(Login, { input }, null)).login),
    logout: async () => {
      const tokens = await tokenStore.get();
      await tokenStore.set(null);
      if (tokens !== null) await send(Logout, { refreshToken: tokens.refreshToken }, null);
    },
    me: async () => (await request(Me)).me,
  };
}

function readResult<TResult>(status: number, text: string): TResult {
  const body = parseJson(text);
  if (isRecord(body)) {
    const errors = body['errors'];
    if (Array.isArray(errors) && errors.length > 0) {
      throw FitnexaApiError.fromGraphQLErrors(
        errors as [GraphQLResponseError, ...GraphQLResponseError[]],
        status,
      );
    }
    if (status >= 200 && status < 300 && isRecord(body['data'])) return body['data'] as TResult;
  }
  throw new FitnexaApiError(`The FitNexa API answered HTTP ${status} without a GraphQL result`, {
    code: 'HTTP_ERROR',
    status,
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isUnauthenticated(error: unknown): boolean {
  return (
    error instanceof FitnexaApiError && (error.code === 'UNAUTHENTICATED' || error.status === 401)
  );
}

// Only the session goes to the store, not the user that came with it.
function toTokens(payload: AuthPayload): Tokens {
  const { accessToken, accessTokenExpiresAt, refreshToken, refreshTokenExpiresAt } = payload;
  return { accessToken, accessTokenExpiresAt, refreshToken, refreshTokenExpiresAt };
}
