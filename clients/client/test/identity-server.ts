import { randomUUID } from 'node:crypto';
import type { FetchFunction } from '../src/index.js';

const USER = {
  id: 'u1',
  email: 'maya@example.test',
  displayName: 'Maya',
  role: 'MEMBER',
  createdAt: '2026-01-01T00:00:00.000Z',
};

/**
 * The identity rules the client relies on, behind a `fetch`: access tokens that can be expired at
 * will and single-use refresh tokens that rotate. Answers like the gateway: 401 with UNAUTHENTICATED
 * for a refused access token.
 */
export function identityServer() {
  const accessTokens = new Set<string>();
  const refreshTokens = new Set<string>();
  const counts = { refreshes: 0, requests: 0 };
  // While set, refreshes wait for it: a test acts while one is in flight.
  let refreshGate: Promise<void> | undefined;

  function issue() {
    const pair = { accessToken: `access-${randomUUID()}`, refreshToken: `refresh-${randomUUID()}` };
    accessTokens.add(pair.accessToken);
    refreshTokens.add(pair.refreshToken);
    return {
      ...pair,
      accessTokenExpiresAt: new Date(Date.now() + 60_000).toISOString(),
      refreshTokenExpiresAt: new Date(Date.now() + 86_400_000).toISOString(),
      user: { __typename: 'User', ...USER },
    };
  }

  const json = (status: number, body: unknown) =>
    new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  const unauthenticated = (status: number) =>
    json(status, {
      errors: [{ message: 'Not signed in', extensions: { code: 'UNAUTHENTICATED' } }],
    });

  const fetch: FetchFunction = async (_url, init) => {
    counts.requests += 1;
    const { operationName, variables } = JSON.parse(String(init.body)) as {
      operationName: string;
      variables: Record<string, any>;
    };
    // Like the gateway: a token that is sent must be valid, whatever the operation.
    const authorization = new Headers(init.headers).get('authorization');
    const signedIn = accessTokens.has((authorization ?? '').replace(/^Bearer /, ''));
    if (authorization !== null && !signedIn) return unauthenticated(401);
    if (operationName === 'Login') {
      return json(200, { data: { login: { __typename: 'AuthPayload', ...issue() } } });
    }
    if (operationName === 'Logout') {
      return json(200, { data: { logout: refreshTokens.delete(variables.refreshToken) } });
    }
    if (operationName === 'RefreshToken') {
      counts.refreshes += 1;
      await refreshGate;
      if (!refreshTokens.delete(variables.refreshToken)) return unauthenticated(200);
      return json(200, { data: { refreshToken: issue() } });
    }
    if (!signedIn) return unauthenticated(401);
    return json(200, { data: { me: { __typename: 'User', ...USER } } });
  };

  return {
    fetch,
    counts,
    /** Every access token issued so far stops working, as at expiry. */
    expireAccessTokens: () => accessTokens.clear(),
    /** Holds refreshes until the returned function is called. */
    holdRefreshes(): () => void {
      let release!: () => void;
      refreshGate = new Promise((resolve) => (release = resolve));
      return release;
    },
    /** Every refresh token stops working, as after a revocation. */
    revokeSessions: () => refreshTokens.clear(),
  };
}
