import type { IncomingMessage } from 'node:http';
import { CloseCode, handleProtocols, makeServer, type ServerOptions } from 'graphql-ws';
import type { WebSocket, WebSocketServer } from 'ws';
import type { Logger } from '../logger/types';
import { errorStack } from '../errors';

/** Close codes of FitNexa's graphql-ws servers beyond the protocol's own (4400, 4401, …). */
export const RealtimeCloseCode = {
  /** The client let more than the bound pile up unread (as 1013, "try again later"). */
  SlowConsumer: 4013,
  /** Too many connections for this user or from this address (as HTTP 429). */
  TooManyConnections: 4029,
} as const;

/** What a client may leave unread before it is dropped: a few MB, whatever the event rate. */
export const DEFAULT_MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
/** After the 4013 close frame, how long a dropped client has to read it before the socket goes. */
const SLOW_CONSUMER_GRACE_MS = 1_000;
/** graphql-ws's own default: a ping every 12 s, and a socket without a pong by the next is ended. */
const KEEP_ALIVE_MS = 12_000;

/** `ctx.extra` of every graphql-ws context on these servers. */
export interface WsExtra {
  socket: WebSocket;
  request: IncomingMessage;
  /**
   * Sends a message as graphql-ws's own are sent (nothing once the socket is closing; past
   * `maxBufferedBytes` unread, 4013): for a server that writes a message graphql-ws would have
   * written, e.g. one `next` serialised once for many subscribers.
   */
  send(data: string): void;
}

export interface BoundedWsOptions {
  logger: Logger;
  /** Bytes queued for a client and not yet written to the network; past it, 4013. */
  maxBufferedBytes?: number;
}

/**
 * graphql-ws on a `ws` server, as graphql-ws's own `useServer`, with one difference: a send does
 * not wait for the client to read. `useServer` holds every subscription until the previous
 * message was written out, so events for a client that stops reading pile up unbounded in the
 * iterators behind it (the gateway's event queue, the hub's listeners). Here they go straight to
 * the socket, where they are counted (`bufferedAmount`), and a client past `maxBufferedBytes` is
 * closed with 4013 and ended a moment later: its subscriptions are cleaned up as on any close.
 */
export function serveGraphqlWs<P extends Record<string, unknown> | undefined>(
  options: ServerOptions<P, WsExtra>,
  wss: WebSocketServer,
  bounds: BoundedWsOptions,
) {
  const { logger } = bounds;
  const maxBufferedBytes = bounds.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES;
  const server = makeServer<P, WsExtra>(options);
  wss.options.handleProtocols = handleProtocols;

  const internalError = (socket: WebSocket, what: string, error: unknown) => {
    logger.error(what, { error: errorStack(error) });
    socket.close(CloseCode.InternalServerError, 'Internal server error');
  };

  wss.on('connection', (socket: WebSocket, request: IncomingMessage) => {
    socket.once('error', (error) => internalError(socket, 'graphql-ws socket failed', error));

    let dropTimer: NodeJS.Timeout | undefined;
    const dropSlowConsumer = () => {
      logger.warn('graphql-ws client dropped: too much unread', {
        bufferedBytes: socket.bufferedAmount,
        maxBufferedBytes,
      });
      socket.close(RealtimeCloseCode.SlowConsumer, 'Slow consumer');
      // The close frame waits behind what the client has not read; a client that reads nothing
      // never gets to it, so the socket (and what is queued on it) goes after a moment.
      dropTimer = setTimeout(() => socket.terminate(), SLOW_CONSUMER_GRACE_MS);
    };

    let pongWait: NodeJS.Timeout | undefined;
    const pings = setInterval(() => {
      if (socket.readyState !== socket.OPEN) return;
      pongWait = setTimeout(() => socket.terminate(), KEEP_ALIVE_MS);
      socket.once('pong', () => clearTimeout(pongWait));
      socket.ping();
    }, KEEP_ALIVE_MS);

    const send = (data: string) => {
      if (socket.readyState !== socket.OPEN) return;
      socket.send(data);
      if (socket.bufferedAmount > maxBufferedBytes) dropSlowConsumer();
    };
    const closed = server.opened(
      {
        protocol: socket.protocol,
        send,
        close: (code, reason) => socket.close(code, reason),
        onMessage: (cb) => {
          // Never rejects: a failure closes the socket as an internal error.
          const handle = async (data: unknown) => {
            try {
              await cb(String(data));
            } catch (error) {
              internalError(socket, 'graphql-ws message failed', error);
            }
          };
          socket.on('message', (data) => void handle(data));
        },
      },
      { socket, request, send },
    );
    socket.once('close', (code, reason) => {
      clearTimeout(dropTimer);
      clearTimeout(pongWait);
      clearInterval(pings);
      void closed(code, String(reason));
    });
  });

  return {
    /** Closes every connection (1001 going away) and the server. */
    async dispose() {
      for (const client of wss.clients) client.close(1001, 'Going away');
      wss.removeAllListeners('connection');
      await new Promise<void>((resolve, reject) =>
        wss.close((error) => (error ? reject(error) : resolve())),
      );
    },
  };
}
