import { tokensOf, type TokenStore, type Tokens } from './tokens.js';

/** Exchanges a refresh token for a new pair; rejects with `RefreshRefused` when the server says no. */
export type RefreshTokens = (refreshToken: string) => Promise<Tokens>;

/** The server answered the refresh with an error: the refresh token is spent, revoked or expired. */
export class RefreshRefused extends Error {
  override readonly name = 'RefreshRefused';
}

export interface Session {
  /** The access token to send, or null when signed out. */
  accessToken(): Promise<string | null>;
  /** The access token, renewed first when it has expired (for a WebSocket's connection_init). */
  freshAccessToken(): Promise<string | null>;
  /**
   * The access token to retry with after `rejectedAccessToken` was refused, or null when the user is
   * now signed out. Concurrent callers share one refresh: refresh tokens are single-use, and a second
   * exchange of the same one would revoke the whole session.
   */
  renew(rejectedAccessToken: string): Promise<string | null>;
  start(tokens: Tokens): Promise<void>;
  /** Forgets the session locally and returns it (to end it on the server). */
  end(): Promise<Tokens | null>;
}

export function createSession(tokenStore: TokenStore, refreshTokens: RefreshTokens): Session {
  // The refresh in flight, shared by every request that was rejected meanwhile.
  let renewal: Promise<string | null> | null = null;

  async function refreshUnlessRenewed(rejectedAccessToken: string): Promise<string | null> {
    const current = await tokenStore.get();
    // Renewed (or signed out) since the rejected request was sent: retry with that session rather
    // than rotating the tokens again.
    if (current === null || current.accessToken !== rejectedAccessToken) {
      return current?.accessToken ?? null;
    }
    let renewed: Tokens;
    try {
      renewed = await refreshTokens(current.refreshToken);
    } catch (error) {
      // Without an answer (network failure, proxy error) the refresh token may still be good.
      if (!(error instanceof RefreshRefused)) throw error;
      await tokenStore.set(null);
      return null;
    }
    // The user may have signed out, or in again, while the refresh was in flight.
    if ((await tokenStore.get())?.refreshToken !== current.refreshToken) return null;
    await tokenStore.set(tokensOf(renewed));
    return renewed.accessToken;
  }

  function renew(rejectedAccessToken: string): Promise<string | null> {
    renewal ??= refreshUnlessRenewed(rejectedAccessToken).finally(() => {
      renewal = null;
    });
    return renewal;
  }

  return {
    accessToken: async () => (await tokenStore.get())?.accessToken ?? null,
    async freshAccessToken() {
      const tokens = await tokenStore.get();
      if (tokens === null) return null;
      const expired = Date.parse(tokens.accessTokenExpiresAt) <= Date.now();
      return expired ? renew(tokens.accessToken) : tokens.accessToken;
    },
    renew,
    start: async (tokens) => {
      await tokenStore.set(tokensOf(tokens));
    },
    async end() {
      const tokens = await tokenStore.get();
      await tokenStore.set(null);
      return tokens;
    },
  };
}
