// The clients of a scale-out test and what they saw: queries and mutations at a steady rate,
// graphql-ws subscribers and socket.io chat clients that reconnect, every request and event
// recorded with its time so that the report can tell what a fault explains from what it does not.
import { createClient } from 'graphql-ws';
import { io } from 'socket.io-client';
import { WebSocket } from 'ws';

export interface RequestRecord {
  kind: 'query' | 'mutation';
  start: number;
  end: number;
  /** Absent when it succeeded: the HTTP status, a GraphQL error code or the network error. */
  cause?: string;
}

export interface SentMessage {
  id: string;
  conversationId: string;
  sentAt: number;
  ackedAt: number;
}

export interface Subscriber {
  kind: 'graphql-ws' | 'socket.io';
  conversationId: string;
  /** Times each message id arrived. */
  received: Map<string, number>;
  /** Connection up (subscribed/joined) intervals; `down` absent while up. */
  intervals: { up: number; down?: number }[];
  /** Durations from a drop to the next time it was up again, in ms. */
  reconnects: number[];
  close(): void;
}

export interface Account {
  id: string;
  token: string;
}

/** GraphQL over HTTP through the load balancer, recorded. */
export function graphqlClient(url: string, records: RequestRecord[]) {
  return async function request<T = Record<string, unknown>>(
    kind: RequestRecord['kind'],
    token: string | undefined,
    query: string,
    variables: Record<string, unknown> = {},
  ): Promise<T | undefined> {
    const start = performance.now();
    const record: RequestRecord = { kind, start, end: start };
    records.push(record);
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify({ query, variables }),
        signal: AbortSignal.timeout(15_000),
      });
      const body = (await response.json().catch(() => undefined)) as
        { data?: T; errors?: { extensions?: { code?: string } }[] } | undefined;
      record.end = performance.now();
      if (!response.ok || !body) record.cause = `HTTP ${response.status}`;
      else if (body.errors?.length)
        record.cause = `GraphQL ${body.errors[0]!.extensions?.code ?? 'error'}`;
      return record.cause ? undefined : body?.data;
    } catch (error) {
      record.end = performance.now();
      record.cause = `network ${(error as Error).cause ? String((error as { cause: { code?: string } }).cause.code) : (error as Error).name}`;
      return undefined;
    }
  };
}

function tracked(kind: Subscriber['kind'], conversationId: string): Subscriber {
  return {
    kind,
    conversationId,
    received: new Map(),
    intervals: [],
    reconnects: [],
    close: () => {},
  };
}

function markUp(subscriber: Subscriber) {
  const last = subscriber.intervals.at(-1);
  if (last && last.down === undefined) return;
  const now = performance.now();
  if (last?.down !== undefined) subscriber.reconnects.push(Math.round(now - last.down));
  subscriber.intervals.push({ up: now });
}

function markDown(subscriber: Subscriber) {
  const last = subscriber.intervals.at(-1);
  if (last && last.down === undefined) last.down = performance.now();
}

/**
 * A graphql-ws subscriber of a conversation through the gateway, from the message `after` (null:
 * from now on), reconnecting for ever and resuming as an app does: graphql-ws sends the
 * subscription again on every reconnection, with `after` the last message received (the payload
 * is serialised at each send), so what was sent while it was away arrives too.
 */
export function graphqlWsSubscriber(
  url: string,
  account: Account,
  conversationId: string,
  after: string | null,
) {
  const subscriber = tracked('graphql-ws', conversationId);
  const client = createClient({
    url: url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${account.token}` },
    lazy: false,
    retryAttempts: Number.MAX_SAFE_INTEGER,
    shouldRetry: () => true,
    retryWait: () => new Promise((resolve) => setTimeout(resolve, 100)),
    on: {
      connected: () => markUp(subscriber),
      closed: () => markDown(subscriber),
    },
  });
  const variables: { id: string; after: string | null } = { id: conversationId, after };
  client.subscribe<{ messageAdded: { id: string } }>(
    {
      query:
        'subscription M($id: ID!, $after: ID) { messageAdded(conversationId: $id, after: $after) { id } }',
      variables,
    },
    {
      next: ({ data }) => {
        const id = data?.messageAdded.id;
        if (!id) return;
        subscriber.received.set(id, (subscriber.received.get(id) ?? 0) + 1);
        variables.after = id;
      },
      // An upstream failure ends the subscription: the interval ends with it.
      error: () => markDown(subscriber),
      complete: () => markDown(subscriber),
    },
  );
  subscriber.close = () => void client.dispose();
  return subscriber;
}

/**
 * A socket.io chat client of a conversation through the gateway, rejoining on every reconnect
 * with `afterMessageId` the last message received (none yet: from now on), so what was sent while
 * it was away arrives too.
 */
export function socketIoSubscriber(url: string, account: Account, conversationId: string) {
  const subscriber = tracked('socket.io', conversationId);
  const socket = io(`${new URL(url).origin}/chat`, {
    path: '/socket.io/messaging',
    auth: { token: account.token },
    transports: ['websocket'],
    reconnectionDelay: 100,
    reconnectionDelayMax: 500,
    forceNew: true,
  });
  let afterMessageId: string | null = null;
  socket.on('connect', () => {
    socket
      .timeout(5_000)
      .emit('conversation:join', { conversationId, afterMessageId }, (error: unknown) => {
        if (!error) markUp(subscriber);
      });
  });
  socket.on('disconnect', () => markDown(subscriber));
  socket.on('message:new', (message: { id: string }) => {
    subscriber.received.set(message.id, (subscriber.received.get(message.id) ?? 0) + 1);
    afterMessageId = message.id;
  });
  subscriber.close = () => void socket.close();
  return subscriber;
}

/** Calls `tick` `perSecond` times a second, without waiting for one to end, until stopped. */
export function steadyRate(perSecond: number, tick: () => Promise<unknown>) {
  const timer = setInterval(() => void tick(), 1000 / perSecond);
  return () => clearInterval(timer);
}
