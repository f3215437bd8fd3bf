import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { eventually } from '@fitnexa/shared/testing/realtime';
import { WebSocketServer, type WebSocket } from 'ws';
import { connectLeanWebSocket, type LeanWebSocket } from './lean-subscriber';

const PROTOCOL = 'graphql-transport-ws';
const cleanUps: (() => Promise<unknown>)[] = [];

afterEach(async () => {
  await Promise.all(cleanUps.splice(0).map((cleanUp) => cleanUp()));
});

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** ASCII text of exactly `bytes` bytes, different every time. */
const text = (bytes: number) =>
  randomBytes(Math.ceil(bytes / 2))
    .toString('hex')
    .slice(0, bytes);

/** A ws server choosing graphql-transport-ws when asked for it, and its connections. */
async function wsServer(options: { refuseProtocol?: boolean; status?: number } = {}) {
  const server = new WebSocketServer({
    host: '127.0.0.1',
    port: 0,
    handleProtocols: (protocols) =>
      !options.refuseProtocol && protocols.has(PROTOCOL) ? PROTOCOL : false,
    verifyClient: options.status
      ? (_info, callback) => callback(false, options.status, 'Refused')
      : undefined,
  });
  await once(server, 'listening');
  const connections: { socket: WebSocket; path: string; headers: Record<string, unknown> }[] = [];
  const received: string[] = [];
  server.on('connection', (socket, request) => {
    connections.push({ socket, path: request.url ?? '', headers: request.headers });
    socket.on('message', (data) => received.push(String(data)));
  });
  cleanUps.push(() => new Promise((resolve) => server.close(resolve)));
  const port = (server.address() as AddressInfo).port;
  const connection = async () => {
    await eventually(() => connections.length > 0, 'the connection');
    return connections[0]!.socket;
  };
  return { url: `ws://127.0.0.1:${port}/graphql?x=1`, connections, connection, received };
}

/** A lean client of `url`, and what it got. */
function client(url: string) {
  const texts: string[] = [];
  const closes: { code: number; reason: string }[] = [];
  const socket: LeanWebSocket = connectLeanWebSocket({
    url,
    protocol: PROTOCOL,
    onText: (message) => texts.push(message),
    onClose: (code, reason) => closes.push({ code, reason }),
  });
  socket.opened.catch(() => {});
  cleanUps.push(() => socket.close());
  return { socket, texts, closes };
}

/**
 * A plain TCP server that answers a WebSocket handshake (with `reply`, a correct 101 by default),
 * then leaves its sockets to the test, which writes frames as bytes.
 */
async function rawServer(reply: (key: string) => string | Buffer = switchingProtocols) {
  const sockets: Socket[] = [];
  const server: Server = createServer((socket) => {
    let request = '';
    socket.setNoDelay(true);
    socket.on('data', (chunk) => {
      if (request.includes('\r\n\r\n')) return;
      request += String(chunk);
      const key = /^Sec-WebSocket-Key: (.*)$/im.exec(request)?.[1]?.trim();
      if (request.includes('\r\n\r\n')) {
        socket.write(reply(key ?? ''));
        sockets.push(socket);
      }
    });
    socket.on('error', () => {});
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanUps.push(() => {
    for (const socket of sockets) socket.destroy();
    return new Promise((resolve) => server.close(resolve));
  });
  const port = (server.address() as AddressInfo).port;
  const socket = async (index = 0) => {
    await eventually(() => sockets.length > index, 'the handshake');
    return sockets[index]!;
  };
  return { url: `ws://127.0.0.1:${port}/`, socket };
}

function switchingProtocols(key: string, protocol = PROTOCOL) {
  const accept = createHash('sha1')
    .update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`)
    .digest('base64');
  return (
    'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
    `Sec-WebSocket-Accept: ${accept}\r\nSec-WebSocket-Protocol: ${protocol}\r\n\r\n`
  );
}

/** A frame as a server sends it (unmasked): FIN unless `fin` is false. */
function serverFrame(opcode: number, payload: Buffer | string, fin = true) {
  const body = Buffer.from(payload);
  const length = body.length;
  const header =
    length < 126
      ? Buffer.from([0, length])
      : length < 0x10000
        ? Buffer.from([0, 126, length >> 8, length & 0xff])
        : Buffer.concat([Buffer.from([0, 127]), Buffer.alloc(8)]);
  if (length >= 0x10000) header.writeUInt32BE(length, 6);
  header[0] = (fin ? 0x80 : 0) | opcode;
  return Buffer.concat([header, body]);
}

describe('the lean WebSocket client', () => {
  describe('opening', () => {
    it('when the server chooses graphql-transport-ws, then the connection opens with the handshake a server expects', async () => {
      const server = await wsServer();
      const { socket } = client(server.url);
      await socket.opened;
      const [connection] = server.connections;
      expect(connection?.socket.protocol).toBe(PROTOCOL);
      expect(connection?.path).toBe('/graphql?x=1');
      expect(connection?.headers.host).toBe(new URL(server.url).host);
      expect(connection?.headers['sec-websocket-version']).toBe('13');
    });

    it('when the server chooses no subprotocol, then opening fails', async () => {
      const server = await wsServer({ refuseProtocol: true });
      const { socket, closes } = client(server.url);
      await expect(socket.opened).rejects.toThrow(/chose no subprotocol/);
      await socket.close();
      expect(closes).toEqual([]);
    });

    it('when the server answers 400, then opening fails with that status', async () => {
      const server = await wsServer({ status: 400 });
      const { socket } = client(server.url);
      await expect(socket.opened).rejects.toThrow(/answered "HTTP\/1\.1 400 /);
    });

    it('when the server answers with a wrong Sec-WebSocket-Accept, then opening fails', async () => {
      const server = await rawServer(() => switchingProtocols('not the key'));
      const { socket } = client(server.url);
      await expect(socket.opened).rejects.toThrow(/Sec-WebSocket-Accept/);
    });

    it('when the server chooses another subprotocol, then opening fails', async () => {
      const server = await rawServer((key) => switchingProtocols(key, 'graphql-ws'));
      const { socket } = client(server.url);
      await expect(socket.opened).rejects.toThrow(/chose the subprotocol "graphql-ws"/);
    });

    it('when nothing listens on the port, then opening fails', async () => {
      const server = await rawServer();
      const { url } = server;
      await Promise.all(cleanUps.splice(0).map((cleanUp) => cleanUp()));
      const { socket } = client(url);
      await expect(socket.opened).rejects.toThrow(/ECONNREFUSED/);
    });

    it('when frames come in the same write as the handshake reply, then they are messages', async () => {
      const server = await rawServer((key) =>
        Buffer.concat([
          Buffer.from(switchingProtocols(key)),
          serverFrame(1, '{"type":"connection_ack"}'),
          serverFrame(1, 'second'),
        ]),
      );
      const { texts } = client(server.url);
      await eventually(() => texts.length === 2, 'two messages');
      expect(texts).toEqual(['{"type":"connection_ack"}', 'second']);
    });
  });

  describe('messages', () => {
    it('when the client sends a text message, then the server gets it, and its answer comes back', async () => {
      const server = await wsServer();
      const { socket, texts } = client(server.url);
      await socket.opened;
      socket.sendText('{"type":"connection_init","payload":{"name":"Zoë ✓"}}');
      await eventually(() => server.received.length === 1, 'the message');
      expect(server.received).toEqual(['{"type":"connection_init","payload":{"name":"Zoë ✓"}}']);
      (await server.connection()).send('{"type":"connection_ack","payload":"✓ ünïcode"}');
      await eventually(() => texts.length === 1, 'the answer');
      expect(texts).toEqual(['{"type":"connection_ack","payload":"✓ ünïcode"}']);
    });

    it.each([0, 1, 125, 126, 65_535, 65_536, 200_000])(
      'when the server sends a message of %d bytes, then the client gets it whole',
      async (bytes) => {
        const server = await wsServer();
        const { socket, texts } = client(server.url);
        await socket.opened;
        const message = text(bytes);
        (await server.connection()).send(message);
        await eventually(() => texts.length === 1, 'the message');
        expect(texts[0]).toBe(message);
      },
    );

    it.each([0, 125, 126, 65_535, 65_536, 200_000])(
      'when the client sends a message of %d bytes, then the server gets it whole',
      async (bytes) => {
        const server = await wsServer();
        const { socket } = client(server.url);
        await socket.opened;
        const message = text(bytes);
        socket.sendText(message);
        await eventually(() => server.received.length === 1, 'the message');
        expect(server.received[0]).toBe(message);
      },
    );

    it('when many small messages come in one write, then each is a message, in order', async () => {
      const server = await rawServer();
      const { texts } = client(server.url);
      const messages = Array.from({ length: 300 }, (_, index) => `{"seq":${index}}`);
      (await server.socket()).write(Buffer.concat(messages.map((body) => serverFrame(1, body))));
      await eventually(() => texts.length === messages.length, 'every message');
      expect(texts).toEqual(messages);
    });

    it('when the server sends many messages quickly, then each comes, in order', async () => {
      const server = await wsServer();
      const { socket, texts } = client(server.url);
      await socket.opened;
      const messages = Array.from({ length: 1_000 }, (_, index) => `message ${index}`);
      const connection = await server.connection();
      for (const message of messages) connection.send(message);
      await eventually(() => texts.length === messages.length, 'every message');
      expect(texts).toEqual(messages);
    });

    it.each([
      ['a 7-bit length', 100],
      ['a 16-bit length', 10_000],
      ['a 64-bit length', 70_000],
    ])(
      'when a message with %s comes split across reads (even within its header), then the client gets it whole',
      async (_, bytes) => {
        const server = await rawServer();
        const { texts } = client(server.url);
        const message = text(bytes);
        const frame = serverFrame(1, message);
        const after = serverFrame(1, 'after');
        const raw = await server.socket();
        // The header a byte at a time, then the payload in three, the last with the next frame.
        const cuts = [1, 2, 3, 5, 11, Math.floor(frame.length / 2), frame.length - 1];
        let from = 0;
        for (const cut of cuts.filter((at) => at < frame.length)) {
          raw.write(frame.subarray(from, cut));
          from = cut;
          await pause(15);
        }
        raw.write(Buffer.concat([frame.subarray(from), after]));
        await eventually(() => texts.length === 2, 'the message and the next');
        expect(texts[0]).toBe(message);
        expect(texts[1]).toBe('after');
      },
    );

    it('when two connections each get part of a message in turn, then neither message is mixed with the other', async () => {
      const server = await rawServer();
      const first = client(server.url);
      const second = client(server.url);
      const [firstRaw, secondRaw] = [await server.socket(0), await server.socket(1)];
      const [firstMessage, secondMessage] = [text(100_000), text(70_000)];
      const [firstFrame, secondFrame] = [
        serverFrame(1, firstMessage),
        serverFrame(1, secondMessage),
      ];
      firstRaw.write(firstFrame.subarray(0, 30_000));
      await pause(20);
      secondRaw.write(secondFrame.subarray(0, 40_000));
      await pause(20);
      firstRaw.write(firstFrame.subarray(30_000));
      await pause(20);
      secondRaw.write(secondFrame.subarray(40_000));
      await eventually(
        () => first.texts.length === 1 && second.texts.length === 1,
        'both messages',
      );
      expect(first.texts).toEqual([firstMessage]);
      expect(second.texts).toEqual([secondMessage]);
    });

    it('when the server sends a fragmented message, then the client gets it assembled', async () => {
      const server = await wsServer();
      const { socket, texts } = client(server.url);
      await socket.opened;
      const connection = await server.connection();
      connection.send('{"id":"1","type":"next",', { fin: false });
      connection.send('"payload":{"data":{"n":1}}', { fin: false });
      connection.send('}', { fin: true });
      connection.send('unfragmented');
      await eventually(() => texts.length === 2, 'the two messages');
      expect(texts).toEqual([
        '{"id":"1","type":"next","payload":{"data":{"n":1}}}',
        'unfragmented',
      ]);
    });

    it('when fragments come in reads of their own, split a character and have a ping between them, then the message is whole', async () => {
      const server = await rawServer();
      const { texts } = client(server.url);
      const bytes = Buffer.from('prix: 5 €, toutes taxes comprises');
      const cut = bytes.indexOf(0xe2) + 1;
      const raw = await server.socket();
      for (const frame of [
        serverFrame(1, bytes.subarray(0, cut), false),
        serverFrame(9, 'between'),
        serverFrame(0, bytes.subarray(cut, cut + 12), false),
        serverFrame(0, bytes.subarray(cut + 12), true),
      ]) {
        raw.write(frame);
        await pause(15);
      }
      await eventually(() => texts.length === 1, 'the message');
      expect(texts).toEqual(['prix: 5 €, toutes taxes comprises']);
    });
  });

  describe('control frames', () => {
    it('when the server pings, then the client answers a pong with the same payload', async () => {
      const server = await wsServer();
      const { socket } = client(server.url);
      await socket.opened;
      const connection = await server.connection();
      const pongs: Buffer[] = [];
      connection.on('pong', (data) => pongs.push(data));
      const payload = randomBytes(125);
      connection.ping(payload);
      connection.ping();
      await eventually(() => pongs.length === 2, 'the pongs');
      expect(pongs[0]?.equals(payload)).toBe(true);
      expect(pongs[1]?.length).toBe(0);
    });

    it('when the server closes with 4403 and a reason, then onClose gets them and the server its close frame back', async () => {
      const server = await wsServer();
      const { socket, closes } = client(server.url);
      await socket.opened;
      const connection = await server.connection();
      const serverClosed = once(connection, 'close');
      connection.close(4403, 'Forbidden');
      const [code] = (await serverClosed) as [number, Buffer];
      expect(code).toBe(4403);
      await eventually(() => closes.length === 1, 'onClose');
      expect(closes).toEqual([{ code: 4403, reason: 'Forbidden' }]);
      await socket.close();
    });

    it('when the client closes, then the server gets code 1000 and the close resolves once the connection is closed', async () => {
      const server = await wsServer();
      const { socket, closes } = client(server.url);
      await socket.opened;
      const connection = await server.connection();
      const serverClosed = once(connection, 'close');
      await socket.close();
      expect(closes).toEqual([{ code: 1000, reason: '' }]);
      const [code] = (await serverClosed) as [number, Buffer];
      expect(code).toBe(1000);
      socket.sendText('ignored once closed');
      await socket.close();
      expect(closes).toHaveLength(1);
    });

    it('when the connection ends without a close frame, then onClose gets 1006', async () => {
      const server = await rawServer();
      const { socket, closes } = client(server.url);
      await socket.opened;
      (await server.socket()).destroy();
      await eventually(() => closes.length === 1, 'onClose');
      expect(closes[0]?.code).toBe(1006);
    });

    it('when the server sends a masked frame, then the client fails the connection with 1002', async () => {
      const server = await rawServer();
      const { socket, texts, closes } = client(server.url);
      await socket.opened;
      const frame = Buffer.concat([
        Buffer.from([0x81, 0x80 | 2]),
        Buffer.alloc(4),
        Buffer.from('hi'),
      ]);
      (await server.socket()).write(frame);
      await eventually(() => closes.length === 1, 'onClose');
      expect(closes[0]?.code).toBe(1002);
      expect(texts).toEqual([]);
    });
  });
});
