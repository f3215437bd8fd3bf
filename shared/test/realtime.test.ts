import { parse } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import { io as connectSocket, type Socket as ClientSocket } from 'socket.io-client';
import WebSocket from 'ws';
import { requireUser, SERVICE_TOKEN_HEADER } from '../src/auth';
import { createRevocationStore, refusingRevokedTokens } from '../src/auth/revocations';
import {
  connectionAccessToken,
  createEventHub,
  onSocketEvent,
  principalOfSocket,
  type EventHub,
} from '../src/realtime';
import type { RunningServer } from '../src/server';
import { startSubgraph, type BaseContext } from '../src/subgraph';
import {
  gatewayCredentialHeaders,
  quietLogger,
  TEST_SERVICE_TOKEN_SECRET,
  testRedisUrl,
  testTokenIssuer,
  uniqueName,
} from '../src/testing';
import { eventually } from '../src/testing/realtime';

const typeDefs = parse(`
  type Query { ok: Boolean! }
  type Subscription { shouts(room: String!): String! }
`);

/** A small subgraph with subscriptions and a socket.io namespace that echoes into the hub. */
async function startShoutServer(
  hub: EventHub,
  verify: Awaited<ReturnType<typeof testTokenIssuer>>['verify'],
) {
  return startSubgraph<BaseContext>({
    name: 'shouts',
    typeDefs,
    resolvers: {
      Query: { ok: () => true },
      Subscription: {
        shouts: {
          subscribe: (_: unknown, { room }: { room: string }, context: BaseContext) => {
            requireUser(context);
            return hub.events(room);
          },
          resolve: (event: { payload: string }) => event.payload,
        },
      },
    } as never,
    context: (base) => base,
    verifyAccessToken: verify,
    serviceTokens: { secret: TEST_SERVICE_TOKEN_SECRET },
    readiness: {},
    logger: quietLogger('shouts'),
    port: 0,
    host: '127.0.0.1',
    realtime: {
      hub,
      redisUrl: testRedisUrl(),
      sockets: (io) =>
        io.of('/shouts').on('connection', (socket) => {
          onSocketEvent(socket, 'join', async (room) => {
            await socket.join(String(room));
            return principalOfSocket(socket).userId;
          });
          onSocketEvent(socket, 'shout', async (payload) => {
            const { room, text } = payload as { room: string; text: string };
            await hub.publish(room, 'shout', text);
            return true;
          });
        }),
    },
  });
}

const wsUrl = (server: RunningServer) => server.url.replace('http', 'ws');
const baseUrl = (server: RunningServer) => server.url.replace('/graphql', '');

function nextShout(client: Client, room: string): { first: Promise<unknown>; stop: () => void } {
  let stop = () => {};
  const first = new Promise((resolve) => {
    stop = client.subscribe(
      { query: 'subscription S($room: String!) { shouts(room: $room) }', variables: { room } },
      { next: resolve, error: resolve, complete: () => {} },
    );
  });
  return { first, stop };
}

describe('real time across instances', () => {
  const channel = uniqueName('realtime');
  let issuer: Awaited<ReturnType<typeof testTokenIssuer>>;
  let hubs: EventHub[];
  let servers: RunningServer[];
  const clients: Client[] = [];
  const sockets: ClientSocket[] = [];

  beforeAll(async () => {
    issuer = await testTokenIssuer();
    hubs = await Promise.all(
      [0, 1].map(() => createEventHub({ url: testRedisUrl(), channel, logger: quietLogger() })),
    );
    servers = await Promise.all(hubs.map((hub) => startShoutServer(hub, issuer.verify)));
  });
  afterAll(async () => {
    for (const socket of sockets) socket.disconnect();
    await Promise.all(clients.map((client) => client.dispose()));
    await Promise.all(servers.map((server) => server.stop()));
    await Promise.all(hubs.map((hub) => hub.close()));
  });

  // As the gateway connects: with its service credential for the subgraph.
  const asGateway = async () => (await gatewayCredentialHeaders('shouts'))[SERVICE_TOKEN_HEADER];
  const wsClient = async (server: RunningServer, connectionParams?: Record<string, unknown>) => {
    const client = createClient({
      url: wsUrl(server),
      webSocketImpl: WebSocket,
      connectionParams: { ...connectionParams, [SERVICE_TOKEN_HEADER]: await asGateway() },
      retryAttempts: 0,
      lazy: false,
    });
    clients.push(client);
    return client;
  };
  const socketClient = async (server: RunningServer, token?: string, asService = true) => {
    const socket = connectSocket(`${baseUrl(server)}/shouts`, {
      auth: token ? { token } : {},
      extraHeaders: asService ? await gatewayCredentialHeaders('shouts') : {},
      transports: ['websocket'],
      reconnection: false,
    });
    sockets.push(socket);
    return socket;
  };

  it('when a socket.io client on one instance shouts, then a graphql-ws subscriber and a socket on the other instance hear it once', async () => {
    const token = await issuer.tokenFor({ userId: crypto.randomUUID(), role: 'MEMBER' });
    const subscriber = await wsClient(servers[1]!, { authorization: `Bearer ${token}` });
    const heardBySubscription = nextShout(subscriber, 'gym-floor');
    const listener = await socketClient(servers[1]!, token);
    const heardBySockets: unknown[] = [];
    listener.on('shout', (text: unknown) => heardBySockets.push(text));
    expect(await listener.emitWithAck('join', 'gym-floor')).toEqual({ data: expect.any(String) });
    await eventually(() => hubs[1]!.subscriptionCount('gym-floor') > 0, 'the subscription');

    const shouter = await socketClient(servers[0]!, token);
    expect(await shouter.emitWithAck('shout', { room: 'gym-floor', text: 'last set!' })).toEqual({
      data: true,
    });
    expect(await heardBySubscription.first).toEqual({ data: { shouts: 'last set!' } });
    await eventually(() => heardBySockets.length > 0, 'the socket to hear it');
    expect(heardBySockets).toEqual(['last set!']);
    heardBySubscription.stop();
  });

  it('when clients are connected, then /metrics counts sockets and open subscriptions, and operations by name', async () => {
    const token = await issuer.tokenFor({ userId: crypto.randomUUID(), role: 'MEMBER' });
    const subscriber = await wsClient(servers[0]!, { authorization: `Bearer ${token}` });
    const listening = nextShout(subscriber, 'metrics-room');
    await socketClient(servers[0]!, token);
    await eventually(() => hubs[0]!.subscriptionCount('metrics-room') > 0, 'the subscription');
    await fetch(servers[0]!.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(await gatewayCredentialHeaders('shouts')),
      },
      body: JSON.stringify({ query: 'query Health { ok }' }),
    });
    const text = await (await fetch(servers[0]!.url.replace('/graphql', '/metrics'))).text();
    const value = (pattern: RegExp) =>
      Number(
        text
          .split('\n')
          .find((line) => pattern.test(line))
          ?.split(' ')
          .at(-1),
      );
    expect(value(/^realtime_subscriptions\{/)).toBeGreaterThanOrEqual(1);
    expect(value(/^socketio_connections\{/)).toBeGreaterThanOrEqual(1);
    expect(
      value(/^graphql_operation_duration_seconds_count\{.*operation="Health",type="query"/),
    ).toBe(1);
    listening.stop();
  });

  it('when a socket connects without a valid token, then it is refused with UNAUTHENTICATED', async () => {
    for (const token of [undefined, 'not-a-token']) {
      const socket = await socketClient(servers[0]!, token);
      const error = await new Promise<Error & { data?: unknown }>((resolve) =>
        socket.on('connect_error', resolve),
      );
      expect(error.message).toBe('UNAUTHENTICATED');
    }
  });

  it("when a socket connects without the gateway's service credential, then it is refused with SERVICE_UNAUTHENTICATED, even with a valid token", async () => {
    const token = await issuer.tokenFor({ userId: crypto.randomUUID(), role: 'MEMBER' });
    const socket = await socketClient(servers[0]!, token, false);
    const error = await new Promise<Error & { data?: unknown }>((resolve) =>
      socket.on('connect_error', resolve),
    );
    expect(error.message).toBe('SERVICE_UNAUTHENTICATED');
    expect(error.data).toEqual({ code: 'SERVICE_UNAUTHENTICATED' });
  });

  it('when a graphql-ws client connects without the service credential, then the connection is closed with 4403 SERVICE_UNAUTHENTICATED, even with a valid token', async () => {
    const token = await issuer.tokenFor({ userId: crypto.randomUUID(), role: 'MEMBER' });
    const closed = await new Promise<{ code: number; reason: string }>((resolve) => {
      const client = createClient({
        url: wsUrl(servers[0]!),
        webSocketImpl: WebSocket,
        connectionParams: { authorization: `Bearer ${token}` },
        retryAttempts: 0,
        lazy: false,
        onNonLazyError: () => {},
        on: { closed: (event) => resolve(event as { code: number; reason: string }) },
      });
      clients.push(client);
    });
    expect(closed).toMatchObject({ code: 4403, reason: 'SERVICE_UNAUTHENTICATED' });
  });

  it('when a graphql-ws client sends a bad token, then the connection is closed with 4403; without one, the resolver says UNAUTHENTICATED', async () => {
    const credential = await asGateway();
    const closed = await new Promise<number>((resolve) => {
      const client = createClient({
        url: wsUrl(servers[0]!),
        webSocketImpl: WebSocket,
        connectionParams: { authorization: 'Bearer nope', [SERVICE_TOKEN_HEADER]: credential },
        retryAttempts: 0,
        lazy: false,
        onNonLazyError: () => {},
        on: { closed: (event) => resolve((event as { code: number }).code) },
      });
      clients.push(client);
    });
    expect(closed).toBe(4403);

    const anonymous = await wsClient(servers[0]!);
    expect(await nextShout(anonymous, 'gym-floor').first).toMatchObject({
      errors: [{ path: ['shouts'], extensions: { code: 'UNAUTHENTICATED' } }],
    });
  });

  it.each([
    ['as Authorization', (bearer: string) => ({ Authorization: bearer })],
    ['under headers', (bearer: string) => ({ headers: { authorization: bearer } })],
  ])(
    'when a graphql-ws client sends its token %s, then it is authenticated',
    async (form, connectionParams) => {
      const token = await issuer.tokenFor({ userId: crypto.randomUUID(), role: 'MEMBER' });
      const subscriber = await wsClient(servers[0]!, connectionParams(`Bearer ${token}`));
      const room = `token-${form.replace(/ /g, '-')}`;
      const heard = nextShout(subscriber, room);
      await eventually(() => hubs[0]!.subscriptionCount(room) > 0, 'the subscription');
      await hubs[0]!.publish(room, 'shout', 'authenticated');
      expect(await heard.first).toEqual({ data: { shouts: 'authenticated' } });
      heard.stop();
    },
  );

  it('when a subscriber unsubscribes, then its listener is gone at once, not after the next event', async () => {
    const hub = hubs[0]!;
    const iterator = hub.events('quiet-room');
    const pending = iterator.next();
    await iterator.return?.();
    expect(await pending).toEqual({ done: true, value: undefined });
  });
});

describe('the access token of a graphql-ws connection', () => {
  it('when connectionParams carry authorization in any letter case, at the top or under headers, then its bearer token is taken', () => {
    expect(connectionAccessToken({ authorization: 'Bearer a.b.c' })).toBe('a.b.c');
    expect(connectionAccessToken({ Authorization: 'Bearer a.b.c' })).toBe('a.b.c');
    expect(connectionAccessToken({ AUTHORIZATION: 'Bearer a.b.c' })).toBe('a.b.c');
    expect(connectionAccessToken({ headers: { authorization: 'Bearer a.b.c' } })).toBe('a.b.c');
    expect(connectionAccessToken({ headers: { Authorization: 'Bearer a.b.c' } })).toBe('a.b.c');
  });

  it('when connectionParams carry no token, then there is none; when a malformed one, then it is refused as UNAUTHENTICATED', () => {
    expect(connectionAccessToken(undefined)).toBeNull();
    expect(connectionAccessToken({})).toBeNull();
    expect(connectionAccessToken({ headers: 'nope', authorization: 42 })).toBeNull();
    expect(() => connectionAccessToken({ Authorization: 'Basic dXNlcg==' })).toThrow(
      expect.objectContaining({ extensions: expect.objectContaining({ code: 'UNAUTHENTICATED' }) }),
    );
  });
});

describe('graphql-ws and revoked tokens', () => {
  it('when a subscriber’s token is revoked, then its open connection is closed with 4403, and so is a new one', async () => {
    const issuer = await testTokenIssuer();
    const logger = quietLogger('shouts');
    const revocations = await createRevocationStore({ prefix: 'revocations', logger });
    const hub = await createEventHub({ channel: uniqueName('realtime'), logger });
    const server = await startShoutServer(
      hub,
      refusingRevokedTokens(issuer.verify, revocations, { logger }),
    );
    const userId = crypto.randomUUID();
    const token = await issuer.tokenFor({ userId, role: 'MEMBER' });
    const credential = (await gatewayCredentialHeaders('shouts'))[SERVICE_TOKEN_HEADER];
    const connect = () => {
      const closed: number[] = [];
      const client = createClient({
        url: wsUrl(server),
        webSocketImpl: WebSocket,
        connectionParams: { authorization: `Bearer ${token}`, [SERVICE_TOKEN_HEADER]: credential },
        retryAttempts: 0,
        lazy: false,
        // The closes are what the test waits for, not errors to print.
        onNonLazyError: () => {},
      });
      client.on('closed', (event) => closed.push((event as { code: number }).code));
      return { client, closed };
    };
    const open = connect();
    try {
      const listening = nextShout(open.client, 'revoked-room');
      await eventually(() => hub.subscriptionCount('revoked-room') > 0, 'the subscription');

      await revocations.revoke(userId);

      await eventually(() => open.closed.includes(4403), 'the open connection to close');
      listening.stop();
      const fresh = connect();
      await eventually(() => fresh.closed.includes(4403), 'the new connection to be refused');
      await fresh.client.dispose();
    } finally {
      await open.client.dispose();
      await server.stop();
      await hub.close();
      await revocations.close();
    }
  });
});
