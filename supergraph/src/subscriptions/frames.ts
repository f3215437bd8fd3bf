import type { Writable } from 'node:stream';
import type { WebSocket } from 'ws';
import type { Delivery } from './execution';

/** FIN and the text opcode: one unfragmented text message. */
const TEXT_FRAME = 0x81;
/** The end of graphql-ws's message, after the payload. */
const CLOSING_BRACE = Buffer.from('}');

/** A WebSocket frame header for an unmasked text message of `length` bytes (RFC 6455 §5.2). */
function frameHeader(length: number): Buffer {
  if (length < 126) return Buffer.from([TEXT_FRAME, length]);
  if (length < 65_536) {
    const header = Buffer.allocUnsafe(4);
    header[0] = TEXT_FRAME;
    header[1] = 126;
    header.writeUInt16BE(length, 2);
    return header;
  }
  const header = Buffer.allocUnsafe(10);
  header[0] = TEXT_FRAME;
  header[1] = 127;
  header.writeBigUInt64BE(BigInt(length), 2);
  return header;
}

/** What a delivery is built into, once: its payload's bytes, and the last frame made of them. */
interface Built {
  payload: Buffer;
  id?: string;
  frame?: Buffer;
}

export interface NextFrameOptions {
  /** What a client may leave unread: a write that would pass it takes graphql-ws's own path. */
  maxBufferedBytes: number;
}

/**
 * graphql-ws `next` messages written to a client's socket as whole WebSocket frames, built once
 * where the bytes are the same. `ws` sends a string message as a header and a payload: the string
 * measured and encoded again for every socket, then a corked two-buffer `writev`. A delivery
 * reaches thousands of sockets with one payload, and every client subscription with the same id
 * (clients that number their subscriptions "1", "2"…) with one frame, byte for byte: the payload
 * is encoded once per delivery, and the frame once per delivery and id (the last one built is
 * kept, so subscribers of one id in a row share it; others get a frame of their own). Each
 * frame is one write to the connection's TCP socket: the bytes `ws` would have written, in the
 * same place in its stream.
 *
 * Only where that is what `ws` would do: the connection is open, has no extension (no
 * permessage-deflate, whose frames differ and which may queue), and the frame stays within the
 * unread bound. Otherwise the message goes by `fallback` (graphql-ws's bounded send, which does
 * nothing on a closing socket and drops a client past the bound with 4013), so the slow-consumer
 * rule is applied exactly as before: a write that would pass the bound is the one that drops it.
 */
export function createNextFrames(options: NextFrameOptions) {
  const built = new WeakMap<Delivery, Built>();

  return {
    /**
     * The sender of subscription `id`'s `next` messages on `socket`; `fallback` sends the same
     * message as text by graphql-ws's own path.
     */
    sender(id: string, socket: WebSocket, fallback: (message: string) => void) {
      const start = `{"id":${JSON.stringify(id)},"type":"next","payload":`;
      const prefix = Buffer.from(start);
      // ws's TCP socket: not in its typings, but where ws itself writes every frame, in order.
      const tcp = (socket as unknown as { _socket?: Writable })._socket;
      // Negotiated in the handshake, before any subscription: it does not change afterwards.
      const plain = socket.extensions === '';

      return (delivery: Delivery) => {
        let bytes = built.get(delivery);
        if (!bytes) {
          bytes = { payload: Buffer.from(delivery.payload) };
          built.set(delivery, bytes);
        }
        const length = prefix.length + bytes.payload.length + 1;
        if (
          !tcp ||
          !plain ||
          socket.readyState !== socket.OPEN ||
          socket.bufferedAmount + length > options.maxBufferedBytes
        ) {
          fallback(`${start}${delivery.payload}}`);
          return;
        }
        if (bytes.id !== id || !bytes.frame) {
          const header = frameHeader(length);
          bytes.frame = Buffer.concat([header, prefix, bytes.payload, CLOSING_BRACE]);
          bytes.id = id;
        }
        tcp.write(bytes.frame);
      };
    },
  };
}
