import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { GraphQLError, graphql, parse } from 'graphql';
import {
  createFitnexaClient,
  FitnexaApiError,
  memoryTokenStore,
  UpdateProfile,
  type FetchFunction,
  type FitnexaClient,
  type TokenStore,
} from '../src/api';
import type { UserProfile } from '../src/types';

// The test server executes every request against the identity subgraph's real SDL, so an operation
// that drifts from the schema fails here with GRAPHQL_VALIDATION_FAILED.
const IDENTITY_SDL = readFileSync(
  join(__dirname, '../../subgraphs/identity/schema.graphql'),
  'utf8',
);

interface RecordedRequest {
  operationName: string;
  authorization: string | undefined;
  headers: IncomingMessage['headers'];
}

interface IdentityContext {
  userId: string | null;
}

interface RefreshTokenRecord {
  userId: string;
  sessionId: string;
  spent: boolean;
}

/** Just enough of the identity subgraph, in memory, over real HTTP. */
async function startIdentityServer() {
  const users = new Map<string, UserProfile & { password: string }>();
  const accessTokens = new Map<string, string>();
  const refreshTokens = new Map<string, RefreshTokenRecord>();
  const endedSessions = new Set<string>();
  const requests: RecordedRequest[] = [];
  const settings = {
    /** How a request with an unknown or expired access token is answered. */
    invalidAccessToken: 'graphql-error' as 'graphql-error' | 'http-401',
  };

  function unauthenticated(message: string): GraphQLError {
    return new GraphQLError(message, { extensions: { code: 'UNAUTHENTICATED' } });
  }

  function issueSession(userId: string, sessionId: string = randomUUID()) {
    const accessToken = `access-${randomUUID()}`;
    const refreshToken = `refresh-${randomUUID()}`;
    accessTokens.set(accessToken, userId);
    refreshTokens.set(refreshToken, { userId, sessionId, spent: false });
    const { password: _password, ...user } = users.get(userId)!;
    return {
      accessToken,
      accessTokenExpiresAt: new Date(Date.now() + 15 * 60_000).toISOString(),
      refreshToken,
      refreshTokenExpiresAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
      user,
    };
  }

  function signedInUser(context: IdentityContext) {
    const user = context.userId === null ? undefined : users.get(context.userId);
    if (user === undefined) throw unauthenticated('You must be signed in');
    return user;
  }

  const schema = buildSubgraphSchema([
    {
      typeDefs: parse(IDENTITY_SDL),
      resolvers: {
        Query: {
          me: (_source: unknown, _args: unknown, context: IdentityContext) => signedInUser(context),
        },
        Mutation: {
          register: (
            _source: unknown,
            { input }: { input: { email: string; password: string; displayName: string } },
          ) => {
            if (input.password.length < 10) {
              throw new GraphQLError('The password must be at least 10 characters long', {
                extensions: { code: 'BAD_USER_INPUT' },
              });
            }
            const id = randomUUID();
            const createdAt = new Date().toISOString();
            users.set(id, { ...input, id, role: 'MEMBER', createdAt });
            return issueSession(id);
          },
          login: (_source: unknown, { input }: { input: { email: string; password: string } }) => {
            const user = [...users.values()].find((candidate) => candidate.email === input.email);
            if (user?.password !== input.password) throw unauthenticated('Wrong email or password');
            return issueSession(user.id);
          },
          refreshToken: (_source: unknown, { refreshToken }: { refreshToken: string }) => {
            const record = refreshTokens.get(refreshToken);
            if (record === undefined || endedSessions.has(record.sessionId)) {
              throw unauthenticated('The refresh token is not valid');
            }
            if (record.spent) {
              // Reuse means the token leaked: end the whole session, as the real server does.
              endedSessions.add(record.sessionId);
              throw unauthenticated('The refresh token was already used');
            }
            record.spent = true;
            return issueSession(record.userId, record.sessionId);
          },
          logout: (_source: unknown, { refreshToken }: { refreshToken: string }) => {
            const record = refreshTokens.get(refreshToken);
            if (record === undefined || endedSessions.has(record.sessionId)) return false;
            endedSessions.add(record.sessionId);
            return true;
          },
          updateProfile: (
            _source: unknown,
            { input }: { input: { displayName?: string | null } },
            context: IdentityContext,
          ) => {
            const user = signedInUser(context);
            if (input.displayName != null) user.displayName = input.displayName;
            return user;
          },
        },
      },
    },
  ]);

  const httpServer = createServer((req, res) => void answer(req, res));
  async function answer(req: IncomingMessage, res: ServerResponse) {
    if (req.url !== '/graphql') {
      res.writeHead(502, { 'content-type': 'text/html' }).end('<h1>502 Bad Gateway</h1>');
      return;
    }
    const body = JSON.parse(await readBody(req)) as {
      query: string;
      operationName: string;
      variables: Record<string, unknown>;
    };
    const { authorization } = req.headers;
    requests.push({ operationName: body.operationName, authorization, headers: req.headers });
    const accessToken = authorization?.replace(/^Bearer /, '');
    const userId = accessToken === undefined ? null : (accessTokens.get(accessToken) ?? null);
    if (
      accessToken !== undefined &&
      userId === null &&
      settings.invalidAccessToken === 'http-401'
    ) {
      res.writeHead(401, { 'content-type': 'text/plain' }).end('Unauthorized');
      return;
    }
    const result = await graphql({
      schema,
      source: body.query,
      operationName: body.operationName,
      variableValues: body.variables,
      contextValue: { userId } satisfies IdentityContext,
    });
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(result));
  }
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  const { port } = httpServer.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/graphql`,
    settings,
    requests,
    /** How many requests of each operation arrived, e.g. { Me: 2, RefreshToken: 1 }. */
    countRequests(): Record<string, number> {
      const counts: Record<string, number> = {};
      for (const { operationName } of requests)
        counts[operationName] = (counts[operationName] ?? 0) + 1;
      return counts;
    },
    expireAccessTokens(): void {
      accessTokens.clear();
    },
    endAllSessions(): void {
      for (const { sessionId } of refreshTokens.values()) endedSessions.add(sessionId);
    },
    isSessionActive(refreshToken: string): boolean {
      const record = refreshTokens.get(refreshToken);
      return record !== undefined && !endedSessions.has(record.sessionId);
    },
    close(): Promise<void> {
      httpServer.closeAllConnections();
      return new Promise((resolve, reject) =>
        httpServer.close((error) => (error ? reject(error) : resolve())),
      );
    },
  };
}

type IdentityServer = Awaited<ReturnType<typeof startIdentityServer>>;

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** A fetch that holds back the response to the first `count` requests of one operation. */
function fetchHoldingResponses(operationName: string, count: number) {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let markHeld!: () => void;
  const held = new Promise<void>((resolve) => (markHeld = resolve));
  let remaining = count;
  const holdingFetch: FetchFunction = async (url, init) => {
    const sent = (JSON.parse(String(init.body)) as { operationName: string }).operationName;
    const hold = sent === operationName && remaining-- > 0;
    const response = await fetch(url, init);
    if (hold) {
      markHeld();
      await released;
    }
    return response;
  };
  return { fetch: holdingFetch, held, release };
}

async function rejectionOf(promise: Promise<unknown>): Promise<FitnexaApiError> {
  const error: unknown = await promise.then(
    () => {
      throw new Error('Expected the promise to reject');
    },
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(FitnexaApiError);
  return error as FitnexaApiError;
}

const NEW_MEMBER = {
  email: 'ada@example.com',
  password: 'correct-horse-42',
  displayName: 'Ada',
};

describe('FitNexa API client', () => {
  let server: IdentityServer;
  let tokenStore: TokenStore;
  let client: FitnexaClient;

  beforeEach(async () => {
    server = await startIdentityServer();
    tokenStore = memoryTokenStore();
    client = createFitnexaClient({
      url: server.url,
      tokenStore,
      headers: { 'apollographql-client-name': 'fitnexa-test' },
    });
  });

  afterEach(() => server.close());

  it('when signed in, then requests carry the access token as a bearer token', async () => {
    const user = await client.register(NEW_MEMBER);
    const me = await client.me();

    expect(me).toEqual(user);
    const tokens = await tokenStore.get();
    const [registerRequest, meRequest] = server.requests;
    expect(registerRequest?.authorization).toBeUndefined();
    expect(meRequest?.authorization).toBe(`Bearer ${tokens?.accessToken}`);
    expect(meRequest?.headers['content-type']).toBe('application/json');
    expect(meRequest?.headers['apollographql-client-name']).toBe('fitnexa-test');
  });

  it('when registering or logging in, then the session is stored and the user returned', async () => {
    const registered = await client.register(NEW_MEMBER);
    expect(registered).toMatchObject({
      email: NEW_MEMBER.email,
      displayName: 'Ada',
      role: 'MEMBER',
    });

    const otherDevice = createFitnexaClient({ url: server.url });
    const loggedIn = await otherDevice.login({
      email: NEW_MEMBER.email,
      password: NEW_MEMBER.password,
    });

    expect(loggedIn).toEqual(registered);
    await expect(otherDevice.me()).resolves.toEqual(registered);
    expect(await tokenStore.get()).toEqual({
      accessToken: expect.any(String),
      accessTokenExpiresAt: expect.any(String),
      refreshToken: expect.any(String),
      refreshTokenExpiresAt: expect.any(String),
    });
  });

  it('when an operation has variables, then they reach the server', async () => {
    await client.register(NEW_MEMBER);

    const { updateProfile } = await client.request(UpdateProfile, {
      input: { displayName: 'Ada L.' },
    });

    expect(updateProfile.displayName).toBe('Ada L.');
    await expect(client.me()).resolves.toMatchObject({ displayName: 'Ada L.' });
  });

  it('when the server answers with a GraphQL error, then the client throws a FitnexaApiError with its code', async () => {
    const error = await rejectionOf(client.register({ ...NEW_MEMBER, password: 'short1' }));

    expect(error.code).toBe('BAD_USER_INPUT');
    expect(error.status).toBe(200);
    expect(error.message).toBe('The password must be at least 10 characters long');
    expect(error.errors).toHaveLength(1);
    expect(error.errors[0]?.path).toEqual(['register']);
  });

  it('when signed out, then a request that needs a session fails as UNAUTHENTICATED without refreshing', async () => {
    const error = await rejectionOf(client.me());

    expect(error.code).toBe('UNAUTHENTICATED');
    expect(server.countRequests()).toEqual({ Me: 1 });
  });

  it('when the access token has expired, then the client refreshes once and retries', async () => {
    await client.register(NEW_MEMBER);
    const expired = await tokenStore.get();
    server.expireAccessTokens();

    await expect(client.me()).resolves.toMatchObject({ email: NEW_MEMBER.email });

    expect(server.countRequests()).toEqual({ Register: 1, Me: 2, RefreshToken: 1 });
    const renewed = await tokenStore.get();
    expect(renewed?.accessToken).not.toBe(expired?.accessToken);
    expect(renewed?.refreshToken).not.toBe(expired?.refreshToken);
    expect(server.requests.at(-1)?.authorization).toBe(`Bearer ${renewed?.accessToken}`);
  });

  it('when two requests find the access token expired at the same time, then they share one refresh', async () => {
    await client.register(NEW_MEMBER);
    server.expireAccessTokens();

    const [first, second] = await Promise.all([client.me(), client.me()]);

    expect(first).toEqual(second);
    // A second refresh would have reused the spent refresh token and ended the session.
    expect(server.countRequests()).toEqual({ Register: 1, Me: 4, RefreshToken: 1 });
    const renewed = await tokenStore.get();
    expect(server.isSessionActive(renewed!.refreshToken)).toBe(true);
  });

  it('when a request is rejected after another one renewed the session, then it retries with the new session without refreshing again', async () => {
    const firstMe = fetchHoldingResponses('Me', 1);
    const laggingClient = createFitnexaClient({
      url: server.url,
      fetch: firstMe.fetch,
      tokenStore,
    });
    await laggingClient.register(NEW_MEMBER);
    server.expireAccessTokens();

    const lagging = laggingClient.me();
    await firstMe.held;
    await expect(laggingClient.me()).resolves.toMatchObject({ email: NEW_MEMBER.email });
    firstMe.release();

    await expect(lagging).resolves.toMatchObject({ email: NEW_MEMBER.email });
    expect(server.countRequests()).toEqual({ Register: 1, Me: 4, RefreshToken: 1 });
  });

  it('when the user logs out while a refresh is in flight, then the renewed session is not stored', async () => {
    const refresh = fetchHoldingResponses('RefreshToken', 1);
    const slowClient = createFitnexaClient({ url: server.url, fetch: refresh.fetch, tokenStore });
    await slowClient.register(NEW_MEMBER);
    server.expireAccessTokens();

    const pending = slowClient.me();
    await refresh.held;
    await slowClient.logout();
    refresh.release();

    expect((await rejectionOf(pending)).code).toBe('UNAUTHENTICATED');
    expect(await tokenStore.get()).toBeNull();
  });

  it('when a gateway rejects the expired access token with HTTP 401, then the client also refreshes and retries', async () => {
    await client.register(NEW_MEMBER);
    server.expireAccessTokens();
    server.settings.invalidAccessToken = 'http-401';

    await expect(client.me()).resolves.toMatchObject({ email: NEW_MEMBER.email });

    expect(server.countRequests()).toEqual({ Register: 1, Me: 2, RefreshToken: 1 });
  });

  it('when the refresh is refused, then the client clears the session and throws the original error', async () => {
    await client.register(NEW_MEMBER);
    server.expireAccessTokens();
    server.endAllSessions();

    const error = await rejectionOf(client.me());

    expect(error.code).toBe('UNAUTHENTICATED');
    expect(error.errors[0]?.path).toEqual(['me']);
    expect(await tokenStore.get()).toBeNull();
    expect(server.countRequests()).toEqual({ Register: 1, Me: 1, RefreshToken: 1 });
  });

  it('when the refresh cannot reach the server, then the session is kept for a later attempt', async () => {
    let refreshIsOffline = true;
    const flakyFetch: FetchFunction = (url, init) => {
      const { operationName } = JSON.parse(String(init.body)) as { operationName: string };
      if (operationName === 'RefreshToken' && refreshIsOffline) {
        return Promise.reject(new TypeError('fetch failed'));
      }
      return fetch(url, init);
    };
    const flakyClient = createFitnexaClient({ url: server.url, fetch: flakyFetch, tokenStore });
    await flakyClient.register(NEW_MEMBER);
    const session = await tokenStore.get();
    server.expireAccessTokens();

    const error = await rejectionOf(flakyClient.me());

    expect(error.code).toBe('NETWORK_ERROR');
    expect(await tokenStore.get()).toEqual(session);
    refreshIsOffline = false;
    await expect(flakyClient.me()).resolves.toMatchObject({ email: NEW_MEMBER.email });
  });

  it('when logging out, then the server ends the session and the store is cleared', async () => {
    await client.register(NEW_MEMBER);
    const session = await tokenStore.get();

    await client.logout();

    expect(await tokenStore.get()).toBeNull();
    expect(server.isSessionActive(session!.refreshToken)).toBe(false);
    expect(server.countRequests()).toEqual({ Register: 1, Logout: 1 });
  });

  it('when the server cannot be reached, then the client throws NETWORK_ERROR', async () => {
    await server.close();

    const error = await rejectionOf(client.me());

    expect(error.code).toBe('NETWORK_ERROR');
    expect(error.status).toBeNull();
    expect(error.errors).toEqual([]);
    // Restart so that afterEach has a server to close.
    server = await startIdentityServer();
  });

  it('when the response is not a GraphQL result, then the client throws HTTP_ERROR with the status', async () => {
    const misrouted = createFitnexaClient({ url: server.url.replace('/graphql', '/nowhere') });

    const error = await rejectionOf(misrouted.me());

    expect(error.code).toBe('HTTP_ERROR');
    expect(error.status).toBe(502);
  });
});
