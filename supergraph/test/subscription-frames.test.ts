import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import type { Delivery } from '../src/subscriptions/execution';
import { createNextFrames } from '../src/subscriptions/frames';

// The gateway's `next` messages written as prebuilt WebSocket frames: what a `ws` client reads
// must be exactly graphql-ws's text message, whatever the payload's size (the three header
// lengths), and anything the frame path may not take goes by graphql-ws's own send.

let server: WebSocketServer;
/** The server side of each client connection, in the order they connected. */
const serverSockets: WebSocket[] = [];

beforeAll(async () => {
  server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  server.on('connection', (socket) => serverSockets.push(socket));
  await new Promise((resolve) => server.once('listening', resolve));
});

afterAll(async () => {
  for (const client of server.clients) client.terminate();
  await new Promise((resolve) => server.close(resolve));
});

interface Received {
  text: string;
  binary: boolean;
}

/** A client connection and its server side; `received` holds what the client read. */
async function connect(options: { perMessageDeflate?: boolean } = {}) {
  const { port } = server.address() as AddressInfo;
  const client = new WebSocket(`ws://127.0.0.1:${port}`, {
    perMessageDeflate: options.perMessageDeflate ?? false,
  });
  const received: Received[] = [];
  client.on('message', (data, binary) => received.push({ text: String(data), binary }));
  const connected = serverSockets.length;
  await new Promise((resolve) => client.once('open', resolve));
  await until(() => serverSockets.length > connected);
  return { client, socket: serverSockets[connected]!, received };
}

async function until(condition: () => boolean) {
  for (let waited = 0; !condition(); waited += 5) {
    if (waited > 5_000) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const delivery = (data: unknown): Delivery => ({
  payload: JSON.stringify({ data }),
  failed: false,
});

describe('next messages as prebuilt frames', () => {
  it('when payloads need each header length, then every client reads graphql-ws’s exact text message for its own subscription id', async () => {
    const frames = createNextFrames({ maxBufferedBytes: 4 * 1024 * 1024 });
    const a = await connect();
    const b = await connect();
    const fallback = jest.fn();
    const sendA = frames.sender('1', a.socket, fallback);
    const sendAgain = frames.sender('1', b.socket, fallback);
    const sendB = frames.sender('sub "é" 2', b.socket, fallback);
    const deliveries = [
      delivery({ body: 'short' }),
      delivery({ body: 'ü'.repeat(200) }),
      delivery({ body: 'x'.repeat(70_000) }),
    ];
    for (const each of deliveries) {
      sendA(each);
      sendAgain(each);
      sendB(each);
    }
    await until(() => a.received.length === 3 && b.received.length === 6);

    const message = (id: string, each: Delivery) => ({
      text: JSON.stringify({ id, type: 'next', payload: JSON.parse(each.payload) }),
      binary: false,
    });
    expect(a.received).toEqual(deliveries.map((each) => message('1', each)));
    expect(b.received).toEqual(
      deliveries.flatMap((each) => [message('1', each), message('sub "é" 2', each)]),
    );
    expect(fallback).not.toHaveBeenCalled();
    a.client.close();
    b.client.close();
  });

  it('when a frame would pass the unread bound, or the socket is closing, or it negotiated compression, then the message goes by the fallback instead', async () => {
    const payloadBytes = JSON.stringify({ data: { body: 'y'.repeat(500) } }).length;
    const frames = createNextFrames({ maxBufferedBytes: payloadBytes });
    const big = delivery({ body: 'y'.repeat(500) });
    const small = delivery({ body: 'z' });

    const bounded = await connect();
    const fallback = jest.fn();
    const send = frames.sender('7', bounded.socket, fallback);
    send(small);
    send(big);
    expect(fallback).toHaveBeenCalledTimes(1);
    expect(fallback).toHaveBeenCalledWith(`{"id":"7","type":"next","payload":${big.payload}}`);
    await until(() => bounded.received.length === 1);
    expect(JSON.parse(bounded.received[0]!.text)).toEqual({
      id: '7',
      type: 'next',
      payload: { data: { body: 'z' } },
    });

    bounded.socket.close();
    send(small);
    expect(fallback).toHaveBeenCalledTimes(2);

    server.options.perMessageDeflate = {};
    try {
      const compressed = await connect({ perMessageDeflate: true });
      expect(compressed.socket.extensions).toContain('permessage-deflate');
      const viaFallback = jest.fn();
      frames.sender('8', compressed.socket, viaFallback)(small);
      expect(viaFallback).toHaveBeenCalledWith(
        `{"id":"8","type":"next","payload":${small.payload}}`,
      );
      compressed.client.close();
    } finally {
      server.options.perMessageDeflate = false;
    }
  });
});
