import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GraphQLNonNull, GraphQLObjectType, GraphQLSchema, GraphQLString } from 'graphql';
import { io as connectSocket, type Socket as ClientSocket } from 'socket.io-client';
import { WebSocket } from 'ws';
import {
  attachGraphqlWs,
  createEventHub,
  createSocketServer,
  type EventHub,
  type RunningSocketServer,
} from '../src/realtime';
import { applyLimits, SUBGRAPH_LIMITS } from '../src/limits';
import { capturingLogger, testTokenIssuer, uniqueName } from '../src/testing';
import { eventually } from '../src/testing/realtime';

// A subgraph's real-time servers (graphql-ws and socket.io on one HTTP server, an in-process
// hub) with small bounds, against clients that stop reading or open too many sockets.

const MAX_BUFFERED = 512 * 1024;
const EVENT = 'x'.repeat(32 * 1024);
const ROOM = 'room-1';

const schema = new GraphQLSchema({
  query: new GraphQLObjectType({ name: 'Query', fields: { ok: { type: GraphQLString } } }),
  subscription: new GraphQLObjectType({
    name: 'Subscription',
    fields: {
      shouts: {
        type: new GraphQLNonNull(GraphQLString),
        subscribe: () => hub.events(ROOM),
        resolve: (event: { payload: string }) => event.payload,
      },
    },
  }),
});

let hub: EventHub;
let http: Server;
let graphqlWs: { close(): Promise<void> };
let sockets: RunningSocketServer;
let base: string;
let issuer: Awaited<ReturnType<typeof testTokenIssuer>>;
const { logger, entries } = capturingLogger('realtime');
const clients: { close(): unknown }[] = [];

beforeAll(async () => {
  issuer = await testTokenIssuer();
  hub = await createEventHub({ channel: uniqueName('bounds'), logger });
  http = createServer();
  graphqlWs = attachGraphqlWs(
    http,
    {
      schema,
      path: '/graphql',
      verifyAccessToken: issuer.verify,
      context: (ctx) => ctx,
      logger,
      limits: applyLimits(SUBGRAPH_LIMITS, { production: false }),
      maxBufferedBytes: MAX_BUFFERED,
    },
    ['/socket.io'],
  );
  sockets = createSocketServer(http, {
    verifyAccessToken: issuer.verify,
    hub,
    logger,
    maxBufferedBytes: MAX_BUFFERED,
    maxConnectionsPerUser: 2,
  });
  sockets.io.of('/shouts').on('connection', (socket) => {
    void socket.join(ROOM);
    socket.emit('joined');
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  base = `127.0.0.1:${(http.address() as AddressInfo).port}`;
});
afterEach(() => {
  for (const client of clients.splice(0)) client.close();
});
afterAll(async () => {
  await graphqlWs.close();
  await sockets.close();
  http.closeAllConnections();
  await new Promise((resolve) => http.close(resolve));
  await hub.close();
});

const dropped = (message: string) => entries.some((entry) => entry.message === message);

/** Publishes 32 KB events into the room until `done`, at most `max` of them; how many it took. */
async function publishUntil(done: () => boolean, max = 2_000) {
  let published = 0;
  while (!done() && published < max) {
    await hub.publish(ROOM, 'shout', EVENT);
    published += 1;
    await new Promise((resolve) => setImmediate(resolve));
  }
  return published;
}

const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
function report(what: string, published: number, before: NodeJS.MemoryUsage) {
  const after = process.memoryUsage();
  if (process.env.REPORT_MEMORY) {
    process.stdout.write(
      `${what}: ${published} events of 32 KB published; heapUsed ${mib(before.heapUsed)} → ${mib(after.heapUsed)} MiB, rss ${mib(before.rss)} → ${mib(after.rss)} MiB\n`,
    );
  }
}

describe('a subgraph’s real-time clients that stop reading', () => {
  it('when a graphql-ws client stops reading, then once more than the bound is queued for it, it is closed with 4013 and its subscription ends', async () => {
    const socket = new WebSocket(`ws://${base}/graphql`, ['graphql-transport-ws']);
    clients.push({ close: () => socket.terminate() });
    const received: string[] = [];
    const closed = new Promise<number>((resolve) => socket.once('close', resolve));
    socket.on('message', (data) => received.push(String(data)));
    await new Promise((resolve) => socket.once('open', resolve));
    socket.send(JSON.stringify({ type: 'connection_init' }));
    await eventually(() => received.includes('{"type":"connection_ack"}'), 'the acknowledgement');
    socket.send(
      JSON.stringify({ id: '1', type: 'subscribe', payload: { query: 'subscription { shouts }' } }),
    );
    await eventually(() => hub.subscriptionCount(ROOM) === 1, 'the subscription');
    socket.pause();
    const before = process.memoryUsage();

    const published = await publishUntil(() =>
      dropped('graphql-ws client dropped: too much unread'),
    );

    expect(dropped('graphql-ws client dropped: too much unread')).toBe(true);
    // Read again at once: what was queued, then the close frame behind it.
    socket.resume();
    expect(await closed).toBe(4013);
    expect(received.length).toBeGreaterThan(1);
    await eventually(() => hub.subscriptionCount(ROOM) === 0, 'the subscription to end');
    report('subgraph graphql-ws slow consumer', published, before);
  });

  it('when a socket.io client stops reading, then once more than the bound is queued for it, it is disconnected', async () => {
    const token = await issuer.tokenFor({ userId: crypto.randomUUID(), role: 'MEMBER' });
    const client = connectSocket(`http://${base}/shouts`, {
      auth: { token },
      transports: ['websocket'],
      reconnection: false,
    });
    clients.push(client);
    const disconnected = new Promise<string>((resolve) => client.once('disconnect', resolve));
    await new Promise((resolve) => client.once('joined', resolve));
    // The WebSocket under socket.io's client stops reading.
    const transport = client.io.engine.transport as unknown as { ws: WebSocket };
    transport.ws.pause();
    const before = process.memoryUsage();

    const published = await publishUntil(() =>
      dropped('socket.io client dropped: too much unread'),
    );

    expect(dropped('socket.io client dropped: too much unread')).toBe(true);
    const entry = entries.find((e) => e.message === 'socket.io client dropped: too much unread')!;
    expect(entry.unreadBytes).toBeLessThan(MAX_BUFFERED + 2 * EVENT.length);
    transport.ws.resume();
    expect(await disconnected).toBe('transport close');
    await eventually(() => sockets.io.engine.clientsCount === 0, 'the connection to go');
    report('socket.io slow consumer', published, before);
  });
});

describe('socket.io connections per user', () => {
  it('when a user has their most sockets in a namespace, then the next is refused with BAD_REQUEST, and other users are not affected', async () => {
    const token = await issuer.tokenFor({ userId: crypto.randomUUID(), role: 'MEMBER' });
    const connect = (auth: string) => {
      const client: ClientSocket = connectSocket(`http://${base}/shouts`, {
        auth: { token: auth },
        transports: ['websocket'],
        reconnection: false,
        forceNew: true,
      });
      clients.push(client);
      return new Promise<unknown>((resolve) => {
        client.once('connect', () => resolve('connected'));
        client.once('connect_error', (error) => resolve((error as { data?: unknown }).data));
      });
    };
    expect(await connect(token)).toBe('connected');
    expect(await connect(token)).toBe('connected');
    expect(await connect(token)).toEqual({ code: 'BAD_REQUEST' });
    const other = await issuer.tokenFor({ userId: crypto.randomUUID(), role: 'MEMBER' });
    expect(await connect(other)).toBe('connected');
  });
});
