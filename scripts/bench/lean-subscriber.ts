// The subscription benchmark's WebSocket client (RFC 6455), by hand on `net`, for its
// graphql-transport-ws subscribers.
//
// Why: bench:subscriptions runs up to 10,000 subscribers in its own process, and that process's
// CPU per delivery is part of every latency it measures, on both paths. On `ws` it cost more per
// delivered message than the gateway it measures (about 21 µs against 15 µs at 10,000
// subscribers: Node's stream machinery with a new buffer per read and its 'data' events, ws's
// Receiver stream, event emitters, the garbage of all that). This client has every connection
// read into one static buffer (net's `onread`: no allocation per read, no stream), parses the
// server's frames where they lie and decodes a text frame straight from that buffer; only a frame
// split across reads is copied. It does what the benchmark needs and no more: text messages
// (fragmented or not) both ways, ping and pong, the closing handshake; no TLS, no extensions, no
// binary messages, no UTF-8 validation. Production code keeps using ws and graphql-ws.
import { createHash, randomBytes, randomFillSync } from 'node:crypto';
import { connect } from 'node:net';

export interface LeanWebSocketOptions {
  /** `ws://host[:port]/path[?query]` (no TLS). */
  url: string;
  /** The subprotocol asked for (Sec-WebSocket-Protocol), which the server must choose. */
  protocol: string;
  /**
   * Each text message, whole (fragments assembled), decoded as UTF-8. It can come before
   * `opened`'s handlers have run, when the server's first frames arrive with its handshake reply.
   */
  onText(text: string): void;
  /**
   * Once, when a connection that opened has closed: the code and reason of the server's close
   * frame (1005 when it had none); the code and reason this client failed it with when the server
   * broke the protocol (1002, 1003 or 1009); 1006 when the connection ended without a close frame
   * (the reason is then the socket's error, if any).
   */
  onClose(code: number, reason: string): void;
}

export interface LeanWebSocket {
  /**
   * Resolves once the opening handshake is done; rejects when the connection or the handshake
   * fails (onClose is then not called).
   */
  readonly opened: Promise<void>;
  /** Sends a text message as one masked frame; ignored once the connection is closing. */
  sendText(text: string): void;
  /**
   * Starts the closing handshake (code 1000 unless given), or gives up a connection still opening;
   * resolves once the connection is closed (at once when it already is).
   */
  close(code?: number, reason?: string): Promise<void>;
}

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const OPCODE_CONTINUATION = 0x0;
const OPCODE_TEXT = 0x1;
const OPCODE_BINARY = 0x2;
const OPCODE_CLOSE = 0x8;
const OPCODE_PING = 0x9;
const OPCODE_PONG = 0xa;
/** The longest frame header from a server: 2 bytes, then a 64-bit length (no mask). */
const MAX_HEADER_BYTES = 10;
/** As ws's default maxPayload: a longer message (or frame) fails the connection with 1009. */
const MAX_MESSAGE_BYTES = 100 * 1024 * 1024;
const MAX_HANDSHAKE_REPLY_BYTES = 16 * 1024;
/** How long a closing connection waits for the server's close frame or end before it is cut. */
const CLOSE_TIMEOUT_MS = 10_000;
/** frameSize's answers when it has no size: the header is not all there yet, or too long a frame. */
const INCOMPLETE_HEADER = -1;
const FRAME_TOO_LONG = -2;

/**
 * What every connection reads into. One for all of them: a read's bytes are handled within its
 * callback (libuv reads one socket at a time, on this thread), and whatever must outlive the
 * callback (a frame's start, a fragment) is copied out first.
 */
const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);

/** Random bytes for the masks, 4 per frame, refilled when used up (as ws does). */
const MASKS = Buffer.allocUnsafe(8 * 1024);
let masksUsed = MASKS.length;

/**
 * A frame as a client sends it: FIN, `opcode`, the payload's length (7, 16 or 64 bits) and the
 * payload masked with 4 fresh random bytes.
 */
function maskedFrame(opcode: number, payload: string | Buffer): Buffer {
  const length = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length;
  const lengthBytes = length < 126 ? 0 : length < 0x10000 ? 2 : 8;
  const maskAt = 2 + lengthBytes;
  const payloadAt = maskAt + 4;
  const frame = Buffer.allocUnsafe(payloadAt + length);
  frame[0] = 0x80 | opcode;
  if (lengthBytes === 0) {
    frame[1] = 0x80 | length;
  } else if (lengthBytes === 2) {
    frame[1] = 0x80 | 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 0x80 | 127;
    frame.writeUInt32BE(Math.floor(length / 0x100000000), 2);
    frame.writeUInt32BE(length >>> 0, 6);
  }
  if (masksUsed === MASKS.length) {
    randomFillSync(MASKS);
    masksUsed = 0;
  }
  MASKS.copy(frame, maskAt, masksUsed, masksUsed + 4);
  masksUsed += 4;
  if (typeof payload === 'string') frame.write(payload, payloadAt, 'utf8');
  else payload.copy(frame, payloadAt);
  for (let index = 0; index < length; index += 1) {
    frame[payloadAt + index] ^= frame[maskAt + (index & 3)]!;
  }
  return frame;
}

/** A close frame's payload: the code, then the reason (at most 123 bytes of it). */
function closePayload(code: number, reason: string): Buffer {
  const payload = Buffer.allocUnsafe(2 + Math.min(123, Buffer.byteLength(reason)));
  payload.writeUInt16BE(code, 0);
  payload.write(reason, 2, 'utf8');
  return payload;
}

/**
 * The whole size of the server frame at `data[start]` (header and payload), from its header
 * alone: INCOMPLETE_HEADER when fewer bytes than its header are there, FRAME_TOO_LONG past
 * MAX_MESSAGE_BYTES.
 */
function frameSize(data: Buffer, start: number, end: number): number {
  if (end - start < 2) return INCOMPLETE_HEADER;
  const length = data[start + 1]! & 0x7f;
  if (length < 126) return 2 + length;
  if (length === 126) return end - start < 4 ? INCOMPLETE_HEADER : 4 + data.readUInt16BE(start + 2);
  if (end - start < 10) return INCOMPLETE_HEADER;
  if (data.readUInt32BE(start + 2) !== 0) return FRAME_TOO_LONG;
  const long = data.readUInt32BE(start + 6);
  return long > MAX_MESSAGE_BYTES ? FRAME_TOO_LONG : 10 + long;
}

/** How many bytes the header of the frame starting with `data[start..end)` has (2 before then). */
function headerSize(data: Buffer, start: number, end: number): number {
  if (end - start < 2) return 2;
  const length = data[start + 1]! & 0x7f;
  return length < 126 ? 2 : length === 126 ? 4 : 10;
}

/** Why the handshake reply's head (status line and headers) is not the one asked for, if it is not. */
function handshakeProblem(head: string, accept: string, protocol: string): string | undefined {
  const [statusLine = '', ...lines] = head.split('\r\n');
  if (!/^HTTP\/1\.1 101\b/.test(statusLine)) {
    return `the server answered "${statusLine}", not 101 Switching Protocols`;
  }
  const headers = new Map<string, string>();
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon < 1) return `a malformed header line "${line}"`;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    const before = headers.get(name);
    headers.set(name, before === undefined ? value : `${before}, ${value}`);
  }
  if (headers.get('upgrade')?.toLowerCase() !== 'websocket') {
    return `Upgrade is "${headers.get('upgrade') ?? ''}", not websocket`;
  }
  const connection = (headers.get('connection') ?? '').toLowerCase().split(',');
  if (!connection.some((token) => token.trim() === 'upgrade')) {
    return `Connection is "${headers.get('connection') ?? ''}", without Upgrade`;
  }
  if (headers.get('sec-websocket-accept') !== accept) {
    return `Sec-WebSocket-Accept is "${headers.get('sec-websocket-accept') ?? ''}", not ${accept}`;
  }
  if (headers.get('sec-websocket-protocol') !== protocol) {
    const chosen = headers.get('sec-websocket-protocol');
    return chosen === undefined
      ? `the server chose no subprotocol (asked for ${protocol})`
      : `the server chose the subprotocol "${chosen}" (asked for ${protocol})`;
  }
  if (headers.has('sec-websocket-extensions')) {
    return `the server chose extensions (${headers.get('sec-websocket-extensions')}), though none was offered`;
  }
  return undefined;
}

/**
 * Connects to `options.url` and does the opening handshake for `options.protocol`: the returned
 * handle can send as soon as `opened` has resolved; the server's messages go to `options.onText`.
 */
export function connectLeanWebSocket(options: LeanWebSocketOptions): LeanWebSocket {
  const url = new URL(options.url);
  if (url.protocol !== 'ws:') throw new Error(`${options.url}: only ws: URLs are supported`);
  const key = randomBytes(16).toString('base64');
  const accept = createHash('sha1')
    .update(key + GUID)
    .digest('base64');

  let state: 'opening' | 'open' | 'closing' | 'closed' = 'opening';
  /** The handshake reply so far (copied out of READ_BUFFER), until its head is whole. */
  let reply: Buffer | undefined;
  /** Frames are read until a close frame comes or the server broke the protocol. */
  let reading = true;
  let closeFrameSent = false;
  let closeCode = 1006;
  let closeReason = '';
  let socketError: Error | undefined;
  let closeTimer: NodeJS.Timeout | undefined;
  /**
   * The start of a frame split across reads, copied: first (in MAX_HEADER_BYTES) its header, then
   * (in a buffer of the frame's size, once that is known) the rest.
   */
  let pending: Buffer | undefined;
  let pendingLength = 0;
  /** The payloads so far (copied) of a fragmented text message, and their bytes. */
  let fragments: Buffer[] | undefined;
  let fragmentsLength = 0;

  let resolveOpened!: () => void;
  let rejectOpened!: (error: Error) => void;
  const opened = new Promise<void>((resolve, reject) => {
    resolveOpened = resolve;
    rejectOpened = reject;
  });
  let resolveClosed!: () => void;
  const closed = new Promise<void>((resolve) => (resolveClosed = resolve));

  const socket = connect({
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port ? Number(url.port) : 80,
    onread: {
      buffer: READ_BUFFER,
      callback: (bytes) => {
        if (state === 'opening') readReply(bytes);
        else if (reading) readFrames(READ_BUFFER, 0, bytes);
        return true;
      },
    },
  });
  socket.setNoDelay(true);
  socket.on('connect', () => {
    socket.write(
      `GET ${url.pathname}${url.search} HTTP/1.1\r\n` +
        `Host: ${url.host}\r\n` +
        'Upgrade: websocket\r\n' +
        'Connection: Upgrade\r\n' +
        `Sec-WebSocket-Key: ${key}\r\n` +
        'Sec-WebSocket-Version: 13\r\n' +
        `Sec-WebSocket-Protocol: ${options.protocol}\r\n` +
        '\r\n',
    );
  });
  socket.on('error', (error) => {
    socketError = error;
  });
  socket.on('close', () => {
    clearTimeout(closeTimer);
    const wasOpen = state !== 'opening';
    state = 'closed';
    if (wasOpen) {
      options.onClose(closeCode, closeCode === 1006 ? (socketError?.message ?? '') : closeReason);
    } else {
      rejectOpened(
        socketError ?? new Error(`${options.url}: the connection closed before the handshake`),
      );
    }
    resolveClosed();
  });

  /** Ends the connection, and cuts it when the server does not end its side in time. */
  const endSocket = () => {
    socket.end();
    closeTimer ??= setTimeout(() => socket.destroy(), CLOSE_TIMEOUT_MS);
  };

  /** Fails the connection the server broke the protocol of: a close frame, then the end. */
  const fail = (code: number, reason: string) => {
    reading = false;
    closeCode = code;
    closeReason = reason;
    if (!closeFrameSent) {
      closeFrameSent = true;
      socket.write(maskedFrame(OPCODE_CLOSE, closePayload(code, reason)));
    }
    state = 'closing';
    endSocket();
  };

  const readReply = (bytes: number) => {
    const chunk = READ_BUFFER.subarray(0, bytes);
    reply = reply ? Buffer.concat([reply, chunk]) : Buffer.from(chunk);
    const headEnd = reply.indexOf('\r\n\r\n');
    if (headEnd < 0) {
      if (reply.length > MAX_HANDSHAKE_REPLY_BYTES) {
        socketError = new Error(`${options.url}: no end to the handshake reply's head`);
        socket.destroy();
      }
      return;
    }
    const problem = handshakeProblem(
      reply.toString('latin1', 0, headEnd),
      accept,
      options.protocol,
    );
    if (problem) {
      socketError = new Error(`${options.url}: WebSocket handshake failed: ${problem}`);
      socket.destroy();
      return;
    }
    const received = reply;
    reply = undefined;
    state = 'open';
    resolveOpened();
    // Bytes after the head in the same reads are the first frames.
    if (headEnd + 4 < received.length) readFrames(received, headEnd + 4, received.length);
  };

  /** Handles the frames in `data[start..end)`, with the start of one split across reads kept. */
  const readFrames = (data: Buffer, start: number, end: number) => {
    let offset = pendingLength > 0 ? completePending(data, start, end) : start;
    while (offset < end && reading) {
      const size = frameSize(data, offset, end);
      if (size === FRAME_TOO_LONG) return fail(1009, 'message too big');
      if (size === INCOMPLETE_HEADER || offset + size > end) {
        pending = Buffer.allocUnsafe(size === INCOMPLETE_HEADER ? MAX_HEADER_BYTES : size);
        pendingLength = data.copy(pending, 0, offset, end);
        return;
      }
      const header = headerSize(data, offset, end);
      handleFrame(data, data[offset]!, data[offset + 1]!, offset + header, offset + size);
      offset += size;
    }
  };

  /**
   * Adds the bytes of `data` from `start` to the pending frame: the offset in `data` after it, once
   * it is whole and handled (`end` while it is not).
   */
  const completePending = (data: Buffer, start: number, end: number): number => {
    let offset = start;
    let frame = pending!;
    for (;;) {
      const size = frameSize(frame, 0, pendingLength);
      if (size === FRAME_TOO_LONG) {
        fail(1009, 'message too big');
        return end;
      }
      const wanted = size === INCOMPLETE_HEADER ? headerSize(frame, 0, pendingLength) : size;
      if (wanted > frame.length) {
        const larger = Buffer.allocUnsafe(wanted);
        frame.copy(larger, 0, 0, pendingLength);
        pending = frame = larger;
      }
      const taken = data.copy(
        frame,
        pendingLength,
        offset,
        Math.min(end, offset + wanted - pendingLength),
      );
      pendingLength += taken;
      offset += taken;
      if (pendingLength < wanted) return end;
      if (size !== INCOMPLETE_HEADER) break;
    }
    pending = undefined;
    const length = pendingLength;
    pendingLength = 0;
    handleFrame(frame, frame[0]!, frame[1]!, headerSize(frame, 0, length), length);
    return offset;
  };

  /** One whole frame, its payload at `data[from..to)`. */
  const handleFrame = (data: Buffer, first: number, second: number, from: number, to: number) => {
    const opcode = first & 0x0f;
    const fin = (first & 0x80) !== 0;
    if (first & 0x70) return fail(1002, 'reserved bits set, with no extension agreed');
    if (second & 0x80) return fail(1002, 'a masked frame from the server');
    if (opcode >= OPCODE_CLOSE && (!fin || to - from > 125)) {
      return fail(1002, 'a fragmented or long control frame');
    }
    switch (opcode) {
      case OPCODE_TEXT:
        if (fragments) return fail(1002, 'a new message before the fragmented one ended');
        if (fin) return options.onText(data.toString('utf8', from, to));
        fragments = [Buffer.from(data.subarray(from, to))];
        fragmentsLength = to - from;
        return;
      case OPCODE_CONTINUATION: {
        if (!fragments) return fail(1002, 'a continuation frame with no message to continue');
        fragmentsLength += to - from;
        if (fragmentsLength > MAX_MESSAGE_BYTES) return fail(1009, 'message too big');
        fragments.push(Buffer.from(data.subarray(from, to)));
        if (!fin) return;
        const text = Buffer.concat(fragments, fragmentsLength).toString('utf8');
        fragments = undefined;
        fragmentsLength = 0;
        return options.onText(text);
      }
      case OPCODE_CLOSE:
        if (to - from === 1) return fail(1002, 'a close frame with a 1-byte payload');
        reading = false;
        closeCode = to - from >= 2 ? data.readUInt16BE(from) : 1005;
        closeReason = to - from > 2 ? data.toString('utf8', from + 2, to) : '';
        if (!closeFrameSent) {
          closeFrameSent = true;
          const echo = closeCode === 1005 ? Buffer.alloc(0) : closePayload(closeCode, '');
          socket.write(maskedFrame(OPCODE_CLOSE, echo));
        }
        state = 'closing';
        return endSocket();
      case OPCODE_PING:
        if (!closeFrameSent) socket.write(maskedFrame(OPCODE_PONG, data.subarray(from, to)));
        return;
      case OPCODE_PONG:
        return;
      case OPCODE_BINARY:
        return fail(1003, 'binary messages are not supported');
      default:
        return fail(1002, `unknown opcode ${opcode}`);
    }
  };

  return {
    opened,
    sendText(text) {
      if (state === 'opening') throw new Error(`${options.url}: not open yet`);
      if (state === 'open') socket.write(maskedFrame(OPCODE_TEXT, text));
    },
    close(code = 1000, reason = '') {
      if (state === 'opening') {
        socketError = new Error(`${options.url}: closed before the handshake`);
        socket.destroy();
      } else if (state === 'open') {
        state = 'closing';
        closeFrameSent = true;
        socket.write(maskedFrame(OPCODE_CLOSE, closePayload(code, reason)));
        closeTimer = setTimeout(() => socket.destroy(), CLOSE_TIMEOUT_MS);
      }
      return closed;
    },
  };
}
