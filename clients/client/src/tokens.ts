/** A signed-in session. Expiry times are ISO-8601 date-times in UTC, as the server sends them. */
export interface Tokens {
  accessToken: string;
  refreshToken: string;
  accessTokenExpiresAt: string;
  refreshTokenExpiresAt: string;
}

/**
 * Where the client keeps the session: memory, localStorage, a secure keychain, ...
 * Either method may be async so that platform stores (e.g. React Native's) fit without wrapping.
 */
export interface TokenStore {
  get(): Tokens | null | Promise<Tokens | null>;
  /** `null` clears the session. */
  set(tokens: Tokens | null): void | Promise<void>;
}

/** A store that forgets the session when the process or page goes away. */
export function memoryTokenStore(initial: Tokens | null = null): TokenStore {
  let tokens = initial;
  return {
    get: () => tokens,
    set: (next) => {
      tokens = next;
    },
  };
}

/** Only the session goes to the store, not the user that came with it. */
export function tokensOf(payload: Tokens): Tokens {
  const { accessToken, accessTokenExpiresAt, refreshToken, refreshTokenExpiresAt } = payload;
  return { accessToken, accessTokenExpiresAt, refreshToken, refreshTokenExpiresAt };
}
