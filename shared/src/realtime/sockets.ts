import type { Server as HttpServer } from 'node:http';
import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import { Server, type Namespace, type Socket } from 'socket.io';
import type { WebSocket } from 'ws';
import { SERVICE_TOKEN_HEADER, type AccessTokenVerifier, type ServiceTokenVerifier } from '../auth';
import { ErrorCode, FitnexaError, errorStack } from '../errors';
import type { Logger } from '../logger/types';
import type { Principal } from '../types';
import type { EventHub } from './hub';
import { DEFAULT_MAX_BUFFERED_BYTES } from './ws-server';
import { traceConnectionStart, traceLinkedWork } from '../telemetry/realtime';
import type { SpanContext } from '@opentelemetry/api';

export type { Server as SocketServer, Socket } from 'socket.io';

/** engine.io's connection under a socket.io client (one per client, whatever its namespaces). */
type EngineSocket = Socket['conn'];

export interface SocketServerOptions {
  /** Redis for several instances (the socket.io Redis adapter); absent means this process only. */
  redisUrl?: string;
  verifyAccessToken: AccessTokenVerifier;
  /**
   * Only handshakes carrying a valid service credential in the `x-fitnexa-service` header (the
   * gateway adds it when it forwards socket.io) connect; others get SERVICE_UNAUTHENTICATED.
   */
  verifyServiceToken?: ServiceTokenVerifier;
  hub: EventHub;
  logger: Logger;
  /** Bytes queued for a client and not yet written out; past them it is disconnected. */
  maxBufferedBytes?: number;
  /** Sockets of one user in one namespace on this instance; the next is refused. */
  maxConnectionsPerUser?: number;
  /** The service whose spans the sockets' events are (tracing); default `socket.io`. */
  service?: string;
}

export const DEFAULT_SOCKETS_PER_USER = 20;
/** After a slow client was disconnected, how long before its WebSocket is ended outright. */
const SLOW_CONSUMER_GRACE_MS = 1_000;

export interface RunningSocketServer {
  io: Server;
  /** Disconnects every client and stops the adapter; the HTTP server is the caller's to close. */
  close(): Promise<void>;
}

/**
 * socket.io on an HTTP server at `/socket.io`. Every namespace takes the access token from the
 * handshake (`auth: { token }`) and refuses a connection without a valid one. Every hub event is
 * delivered to this instance's sockets in the socket.io room of the same name: the hub already
 * reached every instance, so each emits locally only.
 */
export function createSocketServer(
  httpServer: HttpServer,
  options: SocketServerOptions,
): RunningSocketServer {
  const { logger } = options;
  const io = new Server(httpServer, {
    path: '/socket.io',
    serveClient: false,
    // Other upgrades on this server (graphql-ws at /graphql) are not socket.io's to end.
    destroyUpgrade: false,
  });
  let redisClients: Redis[] = [];
  if (options.redisUrl) {
    const pub = new Redis(options.redisUrl, { maxRetriesPerRequest: 1, disconnectTimeout: 200 });
    const sub = pub.duplicate();
    redisClients = [pub, sub];
    for (const client of redisClients) {
      client.on('error', (error: Error) =>
        logger.warn('socket.io Redis adapter unavailable', { error: error.message }),
      );
    }
    io.adapter(createAdapter(pub, sub));
  }

  const maxBufferedBytes = options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES;
  io.engine.on('connection', (connection: EngineSocket) =>
    dropWhenUnread(connection, maxBufferedBytes, logger),
  );

  const namespaces = new Set<Namespace>([io.of('/')]);
  const maxPerUser = options.maxConnectionsPerUser ?? DEFAULT_SOCKETS_PER_USER;
  const perUser = new Map<string, number>();
  const refuse = (code: ErrorCode, message: string = code) => {
    const error = new Error(message) as Error & { data?: unknown };
    error.data = { code };
    return error;
  };
  // Never rejects: every failure becomes a refusal of the handshake, with its code.
  const admit = async (socket: Socket, next: (error?: Error) => void) => {
    if (options.verifyServiceToken) {
      const credential = socket.handshake.headers[SERVICE_TOKEN_HEADER];
      try {
        await options.verifyServiceToken(typeof credential === 'string' ? credential : null);
      } catch {
        next(refuse(ErrorCode.SERVICE_UNAUTHENTICATED));
        return;
      }
    }
    const token: unknown = socket.handshake.auth?.token;
    let principal: Principal;
    try {
      if (typeof token !== 'string' || !token) throw new Error('no token');
      principal = await options.verifyAccessToken(token);
    } catch {
      next(refuse(ErrorCode.UNAUTHENTICATED));
      return;
    }
    const key = `${socket.nsp.name}\n${principal.userId}`;
    const open = perUser.get(key) ?? 0;
    if (open >= maxPerUser) {
      next(refuse(ErrorCode.BAD_REQUEST, 'Too many connections for this user'));
      return;
    }
    perUser.set(key, open + 1);
    // Given back once: when the socket leaves its namespace, or when its connection closes
    // before socket.io admitted it (then 'disconnect' never comes).
    let counted = true;
    const release = () => {
      if (!counted) return;
      counted = false;
      const left = (perUser.get(key) ?? 1) - 1;
      if (left > 0) perUser.set(key, left);
      else perUser.delete(key);
    };
    socket.conn.once('close', release);
    socket.once('disconnect', () => {
      socket.conn.off('close', release);
      release();
    });
    socket.data.principal = principal;
    // Each event handled later is a trace of its own, linked to the handshake's (onSocketEvent).
    socket.data.service = options.service ?? 'socket.io';
    socket.data.traceLink = traceConnectionStart(
      socket.data.service as string,
      `socket.io connect ${socket.nsp.name}`,
      socket.handshake.auth as Record<string, unknown> | undefined,
      socket.handshake.headers,
    );
    // Every socket of a user is in their room, so `removeFromRoom` finds them.
    await socket.join(userRoom(principal.userId));
    next();
  };
  const authenticate = (socket: Socket, next: (error?: Error) => void) => void admit(socket, next);
  io.of('/').use(authenticate);
  io.on('new_namespace', (namespace: Namespace) => {
    namespace.use(authenticate);
    namespaces.add(namespace);
  });

  const stopBridge = options.hub.onEvent((event) => {
    for (const namespace of namespaces) {
      if (event.name === SOCKETS_LEAVE) {
        const { userId } = event.payload as SocketsLeavePayload;
        namespace.local.in(userRoom(userId)).socketsLeave(event.room);
      } else {
        namespace.local.to(event.room).emit(event.name, event.payload);
      }
    }
  });

  return {
    io,
    async close() {
      stopBridge();
      io.disconnectSockets(true);
      io.engine.close();
      await Promise.all([...namespaces].map((namespace) => namespace.adapter.close()));
      // QUIT runs after the adapter's pending (p)subscribe calls, which a plain disconnect would
      // reject with nobody listening; it cannot run while Redis is away, so disconnect then.
      await Promise.all(
        redisClients.map((client) =>
          client.status === 'ready' || client.status === 'connecting' || client.status === 'connect'
            ? client.quit().catch(() => client.disconnect())
            : client.disconnect(),
        ),
      );
    },
  };
}

/** The socket.io room, in every namespace, of all the sockets of one user. */
export const userRoom = (userId: string) => `user:${userId}`;

/** The hub event that takes a user's sockets out of its room; clients never receive it. */
export const SOCKETS_LEAVE = 'sockets:leave';
export interface SocketsLeavePayload {
  userId: string;
}

/**
 * Takes the user's sockets out of the socket.io room, on every instance: a user removed from a
 * conversation or squad hears nothing more of it. It travels through the hub, like the events
 * themselves, so each instance applies it after every event published before it and before any
 * published after (the Redis adapter's own `socketsLeave` takes another Redis connection, with no
 * such order). The sockets may join again, through the checks of a join.
 */
export function removeFromRoom(hub: EventHub, room: string, userId: string): Promise<void> {
  const payload: SocketsLeavePayload = { userId };
  return hub.publish(room, SOCKETS_LEAVE, payload);
}

/**
 * Disconnects an engine.io client once more than `maxBytes` wait for it: packets queued while
 * the transport is busy (engine.io sends the next batch only once the last was written out) plus
 * what the WebSocket has not written yet. Otherwise every event for a client that stopped
 * reading would stay queued until its ping timeout, and many events could arrive by then.
 */
function dropWhenUnread(connection: EngineSocket, maxBytes: number, logger: Logger) {
  let queued = 0;
  let dropped = false;
  connection.on('packetCreate', (packet: { data?: unknown }) => {
    queued += sizeOf(packet.data);
    const transport = connection.transport as { socket?: WebSocket };
    const unread = queued + (transport.socket?.bufferedAmount ?? 0);
    if (dropped || unread <= maxBytes) return;
    dropped = true;
    logger.warn('socket.io client dropped: too much unread', { unreadBytes: unread, maxBytes });
    // Discards what is queued and disconnects every namespace ("forced close"); the WebSocket's
    // close frame waits behind what the client has not read, so the socket goes after a moment.
    connection.close(true);
    setTimeout(() => transport.socket?.terminate(), SLOW_CONSUMER_GRACE_MS).unref();
  });
  connection.on('flush', (packets: { data?: unknown }[]) => {
    for (const packet of packets) queued -= sizeOf(packet.data);
  });
}

const sizeOf = (data: unknown) =>
  typeof data === 'string'
    ? data.length
    : data instanceof ArrayBuffer || ArrayBuffer.isView(data)
      ? data.byteLength
      : 0;

/** The principal the handshake's token named; the namespace middleware admits no socket without one. */
export function principalOfSocket(socket: Socket): Principal {
  return socket.data.principal as Principal;
}

/** What a socket.io acknowledgement carries: the result, or an error with a GraphQL error code. */
export type SocketAck<T> = { data: T } | { error: { code: string; message: string } };

/**
 * Handles a client event with an acknowledgement, as a GraphQL operation would answer: `{ data }`,
 * or `{ error: { code, message } }` with the same codes (BAD_USER_INPUT, FORBIDDEN, …). Unknown
 * errors are logged and answered as INTERNAL_SERVER_ERROR without details.
 */
export function onSocketEvent<T>(
  socket: Socket,
  event: string,
  handler: (payload: unknown) => Promise<T>,
  logger?: Logger,
): void {
  socket.on(event, async (payload: unknown, ack?: unknown) => {
    const reply = typeof ack === 'function' ? (ack as (answer: SocketAck<T>) => void) : () => {};
    try {
      const handled = await traceLinkedWork(
        (socket.data.service as string | undefined) ?? 'socket.io',
        `socket.io ${socket.nsp.name} ${event}`,
        socket.data.traceLink as SpanContext | undefined,
        () => handler(payload),
      );
      reply({ data: handled });
    } catch (error) {
      if (error instanceof FitnexaError) {
        reply({ error: { code: error.code, message: error.message } });
        return;
      }
      logger?.error('socket event failed', {
        event,
        error: errorStack(error),
      });
      reply({
        error: { code: ErrorCode.INTERNAL_SERVER_ERROR, message: 'Internal server error' },
      });
    }
  });
}
