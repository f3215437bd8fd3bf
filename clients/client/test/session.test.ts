import { eventually } from '@fitnexa/shared/testing/realtime';
import {
  createFitnexaClient,
  errorCodeOf,
  MeDocument,
  memoryTokenStore,
  type FitnexaClient,
  type TokenStore,
} from '../src/index.js';
import { identityServer } from './identity-server.js';

// The session through the real Apollo Client, against identity's token rules behind `fetch`.

let server: ReturnType<typeof identityServer>;
let tokenStore: TokenStore;
let client: FitnexaClient;

beforeEach(async () => {
  server = identityServer();
  tokenStore = memoryTokenStore();
  client = createFitnexaClient({
    url: 'http://gateway.test/graphql',
    fetch: server.fetch,
    tokenStore,
  });
  await client.logIn({ email: 'maya@example.test', password: 'correct horse 42' });
});
afterEach(() => client.close());

// Apollo sends identical in-flight queries once; these are to be N separate requests.
const me = () =>
  client.apollo.query({
    query: MeDocument,
    fetchPolicy: 'no-cache',
    context: { queryDeduplication: false },
  });

describe('the session of @fitnexa/client', () => {
  it('when a signed-in member queries, then the request carries their access token', async () => {
    const { data } = await me();
    expect(data?.me.displayName).toBe('Maya');
  });

  it('when 5 concurrent requests are refused for an expired token, then one refresh renews the session and all 5 succeed', async () => {
    server.expireAccessTokens();
    const before = await tokenStore.get();

    const results = await Promise.all(Array.from({ length: 5 }, me));

    expect(results.map(({ data }) => data?.me.id)).toEqual(['u1', 'u1', 'u1', 'u1', 'u1']);
    expect(server.counts.refreshes).toBe(1);
    const after = await tokenStore.get();
    expect(after?.refreshToken).not.toBe(before?.refreshToken);
    expect(after?.accessToken).not.toBe(before?.accessToken);
  });

  it('when the session was rotated, then the next expiry refreshes with the rotated refresh token', async () => {
    server.expireAccessTokens();
    await me();
    server.expireAccessTokens();

    const { data } = await me();

    expect(data?.me.id).toBe('u1');
    // The first refresh token is spent: a second success proves the rotated one was stored and used.
    expect(server.counts.refreshes).toBe(2);
  });

  it('when the refresh is refused, then the member is signed out and the request fails UNAUTHENTICATED', async () => {
    server.expireAccessTokens();
    server.revokeSessions();

    const error = await me().catch((e: unknown) => e);

    expect(errorCodeOf(error)).toBe('UNAUTHENTICATED');
    expect(await tokenStore.get()).toBeNull();
    expect(await client.session.accessToken()).toBeNull();
  });

  it('when the refresh cannot reach the server, then the session is kept for a later try', async () => {
    const before = await tokenStore.get();
    server.expireAccessTokens();
    const refuse = server.fetch;
    let calls = 0;
    // The refused request gets through; the refresh after it does not.
    const flaky = createFitnexaClient({
      url: 'http://gateway.test/graphql',
      tokenStore,
      fetch: (url, init) =>
        ++calls === 1 ? refuse(url, init) : Promise.reject(new TypeError('fetch failed')),
    });
    try {
      await expect(
        flaky.apollo.query({ query: MeDocument, fetchPolicy: 'no-cache' }),
      ).rejects.toThrow('fetch failed');
      expect(await tokenStore.get()).toEqual(before);
    } finally {
      await flaky.close();
    }
  });

  it('when the member signs out while a refresh is in flight, then the renewed session is not stored and the request stays refused', async () => {
    server.expireAccessTokens();
    const release = server.holdRefreshes();
    const refused = me().catch((e: unknown) => e);
    await eventually(() => server.counts.refreshes === 1, 'the refresh');

    // Signed out on this device before the server's answer came.
    await client.session.end();
    release();

    expect(errorCodeOf(await refused)).toBe('UNAUTHENTICATED');
    expect(await tokenStore.get()).toBeNull();
  });

  it('when logging in with a stale session stored, then no refresh is attempted and the new session replaces it', async () => {
    server.expireAccessTokens();
    server.revokeSessions();

    await client.logIn({ email: 'maya@example.test', password: 'correct horse 42' });
    const { data } = await me();

    expect(data?.me.id).toBe('u1');
    expect(server.counts.refreshes).toBe(0);
  });
});
