// Test helpers for real time: the real graphql-ws and socket.io clients, and ways to wait for what
// they receive. Every client opened here is closed by `closeRealtimeClients` (in afterEach).
import { once } from 'node:events';
import {
  createClient,
  GRAPHQL_TRANSPORT_WS_PROTOCOL,
  type FormattedExecutionResult,
} from 'graphql-ws';
import { io, type Socket } from 'socket.io-client';
import { WebSocket } from 'ws';
import { SERVICE_TOKEN_HEADER } from '../auth';
import {
  CALLER_EXTENSION,
  CALLERS_PARAM,
  CALLERS_PER_SUBSCRIPTION,
  SOCKETS_LEAVE,
  type EventHub,
  type SocketsLeavePayload,
} from '../realtime';
import { gatewayCredentialHeaders } from './index';

// Generous: a passing test never waits it out, and a full parallel run on 2 cores is slow.
const WAIT_MS = 15_000;

/** Polls `done` until it holds, for at most a few seconds. */
export async function eventually(done: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const open = new Set<{ close(): unknown }>();

/** Closes every graphql-ws and socket.io client the test opened. */
export async function closeRealtimeClients(): Promise<void> {
  await Promise.all([...open].map((client) => client.close()));
  open.clear();
}

export type LiveResult = FormattedExecutionResult<Record<string, unknown>, unknown>;

/** What graphql-ws delivered to one subscription, and ways to wait for more. */
export interface TestSubscription {
  results: LiveResult[];
  /** Resolves once `count` results arrived in all. */
  received(count: number): Promise<LiveResult[]>;
  /** Resolves once the server ended the subscription (after an error, say). */
  completed: Promise<void>;
  close(): Promise<void>;
}

/**
 * Subscribes with the real graphql-ws client at a service's (or gateway's) `/graphql`, with
 * `token` as the bearer when given. With the target's `service` (a subgraph's name), it connects as
 * the gateway does, with the gateway's service credential. With the service's `hub`, resolves only once the server has
 * the subscription open (or answered it), so what is published next reaches it: graphql-ws itself
 * never acknowledges a subscription.
 */
export async function subscribeOverWs(
  target: {
    url: string;
    hub?: EventHub;
    service?: string;
    /** More connection params (a W3C `traceparent`, ...). */
    connectionParams?: Record<string, unknown>;
  },
  query: string,
  variables: Record<string, unknown>,
  token?: string,
): Promise<TestSubscription> {
  const before = target.hub?.subscriptionCount() ?? 0;
  const credential = target.service
    ? (await gatewayCredentialHeaders(target.service))[SERVICE_TOKEN_HEADER]
    : undefined;
  const client = createClient({
    url: target.url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: {
      ...target.connectionParams,
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(credential ? { [SERVICE_TOKEN_HEADER]: credential } : {}),
    },
    retryAttempts: 0,
  });
  const handle = { close: () => client.dispose() };
  open.add(handle);
  const results: LiveResult[] = [];
  let complete!: () => void;
  let ended = false;
  const completed = new Promise<void>((resolve) => (complete = resolve));
  const end = () => {
    ended = true;
    complete();
  };
  client.subscribe(
    { query, variables },
    {
      next: (result) => results.push(result),
      error: (error) => {
        results.push({ errors: [{ message: String(error) }] });
        end();
      },
      complete: end,
    },
  );
  const { hub } = target;
  if (hub) {
    await eventually(
      () => hub.subscriptionCount() > before || results.length > 0 || ended,
      'the subscription to open',
    );
  }
  return {
    results,
    async received(count) {
      await eventually(() => results.length >= count, `${count} subscription results`);
      return results.slice(0, count);
    },
    completed,
    async close() {
      open.delete(handle);
      await client.dispose();
    },
  };
}

/** A message a subgraph wrote on a graphql-ws connection, as read. */
export interface RawFrame {
  type: string;
  id?: string;
  ids?: string[];
  payload?: unknown;
}

/**
 * A graphql-ws connection to a subgraph as the gateway opens one, shared by its callers
 * (decision 0043), spoken by hand so that a test sees every frame the subgraph writes. Resolves
 * once the subgraph acknowledged it, or closed it (`closed()` says with what).
 */
export async function connectAsGateway(url: string, service: string) {
  const credential = (await gatewayCredentialHeaders(service))[SERVICE_TOKEN_HEADER];
  const socket = new WebSocket(url.replace(/^http/, 'ws'), GRAPHQL_TRANSPORT_WS_PROTOCOL);
  const frames: RawFrame[] = [];
  let closed: { code: number; reason: string } | undefined;
  socket.on('message', (data) => frames.push(JSON.parse(String(data)) as RawFrame));
  socket.on('close', (code, reason) => (closed = { code, reason: String(reason) }));
  await once(socket, 'open');
  const send = (message: Record<string, unknown>) => socket.send(JSON.stringify(message));
  send({
    type: 'connection_init',
    payload: { [SERVICE_TOKEN_HEADER]: credential, [CALLERS_PARAM]: CALLERS_PER_SUBSCRIPTION },
  });
  await eventually(
    () => !!closed || frames.some(({ type }) => type === 'connection_ack'),
    'the subgraph to acknowledge the connection',
  );
  const handle = {
    close: async () => {
      if (socket.readyState === socket.CLOSED) return;
      socket.close();
      await once(socket, 'close');
    },
  };
  open.add(handle);
  return {
    /** Every message the subgraph wrote, in order, the acknowledgement first. */
    frames,
    closed: () => closed,
    /** Subscribes as `token`'s caller (none: signed out). */
    subscribe(id: string, query: string, variables: Record<string, unknown>, token?: string) {
      const caller = token ? { authorization: `Bearer ${token}` } : {};
      send({
        id,
        type: 'subscribe',
        payload: { query, variables, extensions: { [CALLER_EXTENSION]: caller } },
      });
    },
    /** The frames naming subscription `id`: its `next`, `next-to-many`, `error` and `complete`. */
    framesOf: (id: string) => frames.filter((frame) => frame.id === id || frame.ids?.includes(id)),
    close: handle.close,
  };
}

/**
 * A socket.io client, connected (rejects with the server's reason when refused). `url` is the
 * server's origin plus the namespace; `path` is where socket.io listens (the gateway's
 * `/socket.io/<subgraph>`, say). With `service` (a subgraph's name), it connects straight to that
 * subgraph as the gateway forwards clients to it: with the gateway's service credential.
 */
export async function connectSocket(
  url: string,
  options: {
    token?: string;
    path?: string;
    transports?: ('websocket' | 'polling')[];
    service?: string;
  } = {},
): Promise<Socket> {
  const socket = io(url, {
    auth: options.token ? { token: options.token } : {},
    extraHeaders: options.service ? await gatewayCredentialHeaders(options.service) : undefined,
    path: options.path,
    transports: options.transports ?? ['websocket'],
    reconnection: false,
    forceNew: true,
  });
  open.add(socket);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (error) => {
      socket.close();
      open.delete(socket);
      reject(error);
    });
  });
  return socket;
}

/** An event emitted with an acknowledgement, answered as `{ data }` or `{ error }`. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function emitWithAck(socket: Socket, event: string, payload: unknown): Promise<any> {
  return socket.timeout(WAIT_MS).emitWithAck(event, payload);
}

/** Every `event` the socket receives from now on. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function collect(socket: Socket, event: string): any[] {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const received: any[] = [];
  socket.on(event, (payload: unknown) => received.push(payload));
  return received;
}

/**
 * Waits until a subscription is live without a hub to ask: runs `poke` (something that publishes
 * to it) every 100 ms until the first result arrives, then drops the results so far.
 */
export async function whenLive(subscription: TestSubscription, poke: () => Promise<unknown>) {
  const deadline = Date.now() + WAIT_MS;
  while (!subscription.results.length) {
    if (Date.now() > deadline) throw new Error('the subscription never went live');
    await poke();
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  // Pokes still under way land within a few milliseconds.
  await new Promise((resolve) => setTimeout(resolve, 100));
  subscription.results.length = 0;
}

/**
 * The removals of users' sockets from rooms (`removeFromRoom`) that an instance's hub delivers from
 * now on, each listed once that instance's socket.io bridge applied it (it listens first): what is
 * published after one is listed reaches the room without them.
 */
export function collectRemovals(hub: EventHub): { room: string; userId: string }[] {
  const removals: { room: string; userId: string }[] = [];
  hub.onEvent((event) => {
    if (event.name !== SOCKETS_LEAVE) return;
    removals.push({ room: event.room, userId: (event.payload as SocketsLeavePayload).userId });
  });
  return removals;
}
