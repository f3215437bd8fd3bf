import { parse } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import { io as connectSocket, type Socket as ClientSocket } from 'socket.io-client';
import WebSocket from 'ws';
import { requireUser, SERVICE_TOKEN_HEADER } from '../src/auth';
import { createRevocationStore, refusingRevokedTokens } from '../src/auth/revocations';
import {
  connectionAccessToken,
  createEventHub,
  NEXT_TO_MANY,
  onSocketEvent,
  principalOfSocket,
  type EventHub,
} from '../src/realtime';
import type { RunningServer } from '../src/server';
import { startSubgraph, type BaseContext } from '../src/subgraph';
import {
  closedWhileRedisHangs,
  gatewayCredentialHeaders,
  quietLogger,
  TEST_SERVICE_TOKEN_SECRET,
  testRedisUrl,
  testTokenIssuer,
  uniqueName,
} from '../src/testing';
import { closeRealtimeClients, connectAsGateway, eventually } from '../src/testing/realtime';

const typeDefs = parse(`
  directive @sameForEveryCaller on FIELD_DEFINITION
  type Query { ok: Boolean! }
  type Subscription {
    shouts(room: String!): String! @sameForEveryCaller
    "The shout as the listener heard it: depends on the caller, so never shared."
    shoutsHeard(room: String!): String!
  }
`);

/** Every event the `shouts` field resolved, in order. */
const shoutsResolved: string[] = [];

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
          resolve: (event: { payload: string }) => {
            shoutsResolved.push(event.payload);
            return event.payload;
          },
        },
        shoutsHeard: {
          subscribe: (_: unknown, { room }: { room: string }, context: BaseContext) => {
            requireUser(context);
            return hub.events(room);
          },
          resolve: (event: { payload: string }, _: unknown, context: BaseContext) =>
            `${event.payload}, heard by ${requireUser(context).userId}`,
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

describe('the event hub on Redis', () => {
  it('when the hub is closed while Redis hangs, then the close waits for its two connections to end and leaves no socket or timer behind', async () => {
    const left = await closedWhileRedisHangs(async (url) => {
      const hub = await createEventHub({
        url,
        channel: uniqueName('realtime'),
        logger: quietLogger(),
      });
      await hub.ping();
      return hub;
    });
    expect(left).toEqual({ socketsEnded: 2, timersLeft: 0 });
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

describe('the gateway’s connection shared by its callers', () => {
  const SHOUTS = 'subscription S($room: String!) { shouts(room: $room) }';
  const HEARD = 'subscription H($room: String!) { shoutsHeard(room: $room) }';
  let issuer: Awaited<ReturnType<typeof testTokenIssuer>>;
  let revocations: Awaited<ReturnType<typeof createRevocationStore>>;
  let hub: EventHub;
  let server: RunningServer;
  beforeAll(async () => {
    issuer = await testTokenIssuer();
    const logger = quietLogger('shouts');
    revocations = await createRevocationStore({ prefix: uniqueName('revocations'), logger });
    hub = await createEventHub({ channel: uniqueName('realtime'), logger });
    server = await startShoutServer(
      hub,
      refusingRevokedTokens(issuer.verify, revocations, { logger }),
    );
  });
  afterEach(() => closeRealtimeClients());
  afterAll(async () => {
    await server.stop();
    await hub.close();
    await revocations.close();
  });

  const aMember = async () => {
    const userId = crypto.randomUUID();
    return { userId, token: await issuer.tokenFor({ userId, role: 'MEMBER' }) };
  };
  /**
   * The gateway's connection with one subscription per caller (`s0`, `s1`…) to a fresh room, once
   * `live` of them listen (by default, all).
   */
  async function subscribedAsGateway(
    query: string,
    tokens: (string | undefined)[],
    live = tokens.length,
  ) {
    const room = uniqueName('room');
    const gateway = await connectAsGateway(server.url, 'shouts');
    tokens.forEach((token, index) => gateway.subscribe(`s${index}`, query, { room }, token));
    await eventually(() => hub.subscriptionCount(room) === live, 'the subscriptions to be live');
    return { gateway, room };
  }

  it('when an event reaches two callers’ subscriptions of an operation declared the same for every caller, then it is executed once and written once, as one next-to-many frame naming both', async () => {
    const [ann, ben] = [await aMember(), await aMember()];
    const { gateway, room } = await subscribedAsGateway(SHOUTS, [ann.token, ben.token]);
    const shout = uniqueName('hello');

    await hub.publish(room, 'shout', shout);

    await eventually(() => gateway.framesOf('s1').length > 0, 'the event');
    expect(gateway.frames.slice(1)).toEqual([
      { type: NEXT_TO_MANY, ids: expect.any(Array), payload: { data: { shouts: shout } } },
    ]);
    expect(gateway.frames[1]!.ids!.sort()).toEqual(['s0', 's1']);
    expect(shoutsResolved.filter((resolved) => resolved === shout)).toHaveLength(1);
  });

  it('when an operation selects a field that depends on the caller, then each subscription is executed as its own caller and gets a next of its own', async () => {
    const [ann, ben] = [await aMember(), await aMember()];
    const { gateway, room } = await subscribedAsGateway(HEARD, [ann.token, ben.token]);

    await hub.publish(room, 'shout', 'hello');

    await eventually(
      () => gateway.framesOf('s0').length > 0 && gateway.framesOf('s1').length > 0,
      'the event for both',
    );
    expect(gateway.frames.slice(1)).toEqual(
      expect.arrayContaining([
        {
          id: 's0',
          type: 'next',
          payload: { data: { shoutsHeard: `hello, heard by ${ann.userId}` } },
        },
        {
          id: 's1',
          type: 'next',
          payload: { data: { shoutsHeard: `hello, heard by ${ben.userId}` } },
        },
      ]),
    );
    expect(gateway.frames).toHaveLength(3);
  });

  it('when a caller comes without a token or with a forged one, then their subscription alone is refused with UNAUTHENTICATED, and the others on the connection go on', async () => {
    const ann = await aMember();
    const { gateway, room } = await subscribedAsGateway(
      SHOUTS,
      [ann.token, undefined, 'forged'],
      1,
    );
    await eventually(
      () => gateway.framesOf('s1').length > 0 && gateway.framesOf('s2').length > 0,
      'the refusals',
    );
    const codesOf = (id: string) =>
      JSON.stringify(gateway.framesOf(id)).match(/"code":"([A-Z_]+)"/)?.[1];
    expect(codesOf('s1')).toBe('UNAUTHENTICATED');
    expect(codesOf('s2')).toBe('UNAUTHENTICATED');

    await hub.publish(room, 'shout', 'still on');

    await eventually(() => gateway.framesOf('s0').length > 0, 'the event');
    expect(gateway.framesOf('s0')).toEqual([
      { id: 's0', type: 'next', payload: { data: { shouts: 'still on' } } },
    ]);
    expect(gateway.closed()).toBeUndefined();
  });

  it('when a caller’s token is revoked, then their subscription ends with UNAUTHENTICATED, and the connection and the other callers’ subscriptions go on', async () => {
    const [ann, ben] = [await aMember(), await aMember()];
    const { gateway, room } = await subscribedAsGateway(SHOUTS, [ann.token, ben.token]);

    await revocations.revoke(ann.userId);

    await eventually(() => gateway.framesOf('s0').length > 0, 'the revoked caller’s end');
    expect(gateway.framesOf('s0')).toEqual([
      {
        id: 's0',
        type: 'error',
        payload: [expect.objectContaining({ extensions: { code: 'UNAUTHENTICATED' } })],
      },
    ]);
    await eventually(() => hub.subscriptionCount(room) === 1, 'its listener to go');
    await hub.publish(room, 'shout', 'after');
    await eventually(() => gateway.framesOf('s1').length > 0, 'the event');
    expect(gateway.framesOf('s1')).toEqual([
      { id: 's1', type: 'next', payload: { data: { shouts: 'after' } } },
    ]);
    expect(gateway.closed()).toBeUndefined();
  });
});
