import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { capturingLogger, testTokenIssuer, untilPasses } from '@fitnexa/shared/testing';
import { eventually } from '@fitnexa/shared/testing/realtime';
import type { ExecutionResult } from 'graphql';
import { WebSocket, type WebSocketServer } from 'ws';
import { type GatewayServer } from '../src';
import { everySubgraphAt, serveStubSubscriptions, startTestGateway } from './kit';

// The gateway's bounds on what one graphql-ws client holds: subscriptions per connection,
// connections per user and per address, and unread bytes. One stub stands in for every
// subgraph: its graphql-ws side streams events for as long as the gateway wants them.

const MAX_BUFFERED = 1024 * 1024;
const EVENT_BODY = 'x'.repeat(32 * 1024);

let stub: Server;
let stubWs: WebSocketServer;
/** Events the stub produced for the gateway, over all its subscriptions. */
let produced = 0;
let gateway: GatewayServer;
let issuer: Awaited<ReturnType<typeof testTokenIssuer>>;
const { logger, entries } = capturingLogger('gateway');

/** Every subscription on the stub: an endless stream of 32 KB messages, as fast as it is read. */
function endlessMessages(): AsyncIterableIterator<ExecutionResult> {
  let stopped = false;
  const iterator: AsyncIterableIterator<ExecutionResult> = {
    async next() {
      if (stopped) return { done: true, value: undefined };
      await new Promise((resolve) => setImmediate(resolve));
      produced += 1;
      return { done: false, value: { data: { messageAdded: { body: EVENT_BODY } } } };
    },
    async return() {
      stopped = true;
      return { done: true, value: undefined };
    },
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}

beforeAll(async () => {
  stub = createServer((_req, res) => res.end());
  const { url, wss } = await serveStubSubscriptions(stub, endlessMessages);
  stubWs = wss;
  issuer = await testTokenIssuer();
  gateway = await startTestGateway({
    subgraphUrls: everySubgraphAt(url),
    verifyAccessToken: issuer.verify,
    logger,
    rateLimits: false,
    // The tests pose as distinct client addresses through X-Forwarded-For.
    trustProxy: true,
    subscriptions: {
      upstreamRetryAttempts: 0,
      maxSubscriptionsPerConnection: 2,
      maxConnectionsPerUser: 2,
      maxConnectionsPerIp: 3,
      maxBufferedBytes: MAX_BUFFERED,
    },
  });
});
afterEach(() => {
  for (const socket of sockets.splice(0)) socket.terminate();
});
afterAll(async () => {
  await gateway.stop();
  for (const socket of stubWs.clients) socket.terminate();
  await new Promise<void>((resolve) => stubWs.close(() => resolve()));
  await new Promise<void>((resolve) => stub.close(() => resolve()));
});

const sockets: WebSocket[] = [];
let addresses = 0;
/** A client address of its own for each test. */
const anAddress = () => `10.0.0.${++addresses}`;

/** A raw graphql-ws connection from `address`, initialised with `token` when given. */
function connect(address: string, token?: string) {
  const socket = new WebSocket(gateway.url.replace(/^http/, 'ws'), ['graphql-transport-ws'], {
    headers: { 'x-forwarded-for': address },
  });
  sockets.push(socket);
  const messages: { id?: string; type: string; payload?: unknown }[] = [];
  const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
  const acknowledged = new Promise<boolean>((resolve) => {
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as (typeof messages)[number];
      messages.push(message);
      if (message.type === 'connection_ack') resolve(true);
    });
    void closed.then(() => resolve(false));
  });
  socket.once('open', () =>
    socket.send(
      JSON.stringify({
        type: 'connection_init',
        payload: token ? { authorization: `Bearer ${token}` } : {},
      }),
    ),
  );
  return {
    socket,
    messages,
    closed,
    acknowledged,
    subscribe(id: string) {
      socket.send(
        JSON.stringify({
          id,
          type: 'subscribe',
          payload: { query: 'subscription { messageAdded(conversationId: "c1") { body } }' },
        }),
      );
    },
  };
}

const aToken = () => issuer.tokenFor({ userId: randomUUID(), role: 'MEMBER' });

describe('bounds on graphql-ws clients at the gateway', () => {
  it('when a connection holds its most subscriptions, then the next is refused with BAD_REQUEST and the connection stays', async () => {
    const client = connect(anAddress(), await aToken());
    expect(await client.acknowledged).toBe(true);
    client.socket.pause();
    client.subscribe('1');
    client.subscribe('2');
    await eventually(() => gateway.subscriptions.activeSubscriptions() === 2, 'two subscriptions');
    client.subscribe('3');
    client.socket.resume();

    await eventually(
      () => client.messages.some((message) => message.id === '3'),
      'the third subscription’s answer',
    );
    expect(client.messages.find((message) => message.id === '3')).toEqual({
      id: '3',
      type: 'error',
      payload: [
        expect.objectContaining({
          message: 'A connection holds at most 2 subscriptions',
          extensions: { code: 'BAD_REQUEST' },
        }),
      ],
    });
    expect(client.socket.readyState).toBe(WebSocket.OPEN);
  });

  it('when a user has their most connections open, then the next is closed with 4029, and one more fits once one of them closed', async () => {
    const token = await aToken();
    const first = connect(anAddress(), token);
    const second = connect(anAddress(), token);
    expect(await first.acknowledged).toBe(true);
    expect(await second.acknowledged).toBe(true);

    const third = connect(anAddress(), token);
    expect(await third.closed).toBe(4029);
    expect(await third.acknowledged).toBe(false);
    // Another user is not affected.
    expect(await connect(anAddress(), await aToken()).acknowledged).toBe(true);

    first.socket.close();
    await first.closed;
    // The gateway sees the close a moment after the client does.
    await untilPasses(async () =>
      expect(await connect(anAddress(), token).acknowledged).toBe(true),
    );
  });

  it('when an address has its most connections open, then the next from it is closed with 4029 before connection_init', async () => {
    const address = anAddress();
    const open = [connect(address), connect(address), connect(address)];
    expect(await Promise.all(open.map((client) => client.acknowledged))).toEqual([
      true,
      true,
      true,
    ]);

    const refused = connect(address);
    expect(await refused.closed).toBe(4029);
    expect(await connect(anAddress()).acknowledged).toBe(true);
  });

  it('when a client stops reading, then once more than the bound is queued for it the gateway drops it (4013) with its subscription and its upstream, and stops producing', async () => {
    const client = connect(anAddress(), await aToken());
    expect(await client.acknowledged).toBe(true);
    client.subscribe('slow');
    await eventually(() => client.messages.length > 1, 'the first events');
    client.socket.pause();
    const before = process.memoryUsage();

    await eventually(
      () => entries.some((entry) => entry.message === 'graphql-ws client dropped: too much unread'),
      'the slow client to be dropped',
    );
    // Read again at once: what was queued, then the close frame behind it.
    client.socket.resume();
    expect(await client.closed).toBe(4013);
    await eventually(() => gateway.subscriptions.activeSubscriptions() === 0, 'no subscription');
    await eventually(() => gateway.subscriptions.upstreamSockets() === 0, 'no upstream socket');
    const producedWhenDropped = produced;
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(produced).toBe(producedWhenDropped);
    const after = process.memoryUsage();

    const dropped = entries.find(
      (entry) => entry.message === 'graphql-ws client dropped: too much unread',
    )!;
    expect(dropped.bufferedBytes).toBeGreaterThan(MAX_BUFFERED);
    expect(dropped.bufferedBytes).toBeLessThan(MAX_BUFFERED + 2 * EVENT_BODY.length);
    if (process.env.REPORT_MEMORY) {
      const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
      process.stdout.write(
        `slow consumer: ${producedWhenDropped} events of 32 KB produced; heapUsed ${mib(before.heapUsed)} → ${mib(after.heapUsed)} MiB, rss ${mib(before.rss)} → ${mib(after.rss)} MiB\n`,
      );
    }
  });
});
