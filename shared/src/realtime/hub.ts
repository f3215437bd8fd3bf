import { EventEmitter, on, once } from 'node:events';
import { Redis } from 'ioredis';
import type { Logger } from '../logger/types';
import { errorMessage } from '../errors';
import { closeRedis, DISCONNECT_TIMEOUT_MS } from '../redis';

/** One real-time event: what happened (`name`, `payload`) in which room (`squad:<id>`, …). */
export interface RealtimeEvent<T = unknown> {
  room: string;
  name: string;
  payload: T;
}

/**
 * The stream of a service's real-time events. One `publish` reaches every instance of the service
 * (through Redis pub/sub), and on each instance every GraphQL subscriber of the room and every
 * socket.io client in the room of the same name.
 */
export interface EventHub {
  publish<T>(room: string, name: string, payload: T): Promise<void>;
  /** Events of one room (only `names` when given); returning the iterator unsubscribes. */
  events<T>(room: string, names?: readonly string[]): AsyncIterableIterator<RealtimeEvent<T>>;
  /** Every event this instance receives (the socket.io bridge); returns the unsubscribe. */
  onEvent(listener: (event: RealtimeEvent) => void): () => void;
  /** Subscriptions open on this instance, to one room or in all (metrics, tests). */
  subscriptionCount(room?: string): number;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface EventHubOptions {
  /** Redis for several instances; absent means this process only (the embedded default). */
  url?: string;
  /** The Redis channel, one per service (and per test schema). */
  channel: string;
  logger: Logger;
}

const ANY = Symbol('any event');

export async function createEventHub(options: EventHubOptions): Promise<EventHub> {
  const local = new EventEmitter();
  // One listener per subscription: thousands of subscribers are expected, not a leak.
  local.setMaxListeners(0);
  const deliver = (event: RealtimeEvent) => {
    local.emit(event.room, event);
    local.emit(ANY, event);
  };
  const transport = options.url ? await redisTransport(options, deliver) : memoryTransport(deliver);
  return {
    publish: (room, name, payload) => transport.publish({ room, name, payload }),
    events: <T>(room: string, names?: readonly string[]) =>
      roomEvents<T>(local, room, names ? new Set(names) : undefined),
    onEvent(listener) {
      local.on(ANY, listener);
      return () => local.off(ANY, listener);
    },
    subscriptionCount: (room) =>
      room === undefined
        ? local
            .eventNames()
            .reduce<number>(
              (sum, name) => (name === ANY ? sum : sum + local.listenerCount(name)),
              0,
            )
        : local.listenerCount(room),
    ping: transport.ping,
    async close() {
      local.removeAllListeners();
      await transport.close();
    },
  };
}

interface Transport {
  publish(event: RealtimeEvent): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

function memoryTransport(deliver: (event: RealtimeEvent) => void): Transport {
  return {
    // Delivered after the publisher's own work, as a broker would.
    publish: async (event) => {
      queueMicrotask(() => deliver(event));
    },
    ping: async () => {},
    close: async () => {},
  };
}

async function redisTransport(
  { url, channel, logger }: EventHubOptions,
  deliver: (event: RealtimeEvent) => void,
): Promise<Transport> {
  const connect = (enableOfflineQueue: boolean) =>
    new Redis(url!, {
      maxRetriesPerRequest: 1,
      enableOfflineQueue,
      disconnectTimeout: DISCONNECT_TIMEOUT_MS,
      connectTimeout: 2_000,
    });
  // Publishing fails fast while Redis is away rather than queueing behind it.
  const publisher = connect(false);
  // A connection in subscriber mode can do nothing else, hence two; ioredis subscribes it again
  // after every reconnect.
  const subscriber = connect(true);
  for (const redis of [publisher, subscriber]) {
    redis.on('error', (error: Error) =>
      logger.warn('real-time Redis unavailable', { error: error.message }),
    );
  }
  subscriber.on('message', (_channel: string, message: string) => {
    try {
      deliver(JSON.parse(message) as RealtimeEvent);
    } catch (error) {
      logger.warn('dropped a malformed real-time event', {
        error: errorMessage(error),
      });
    }
  });
  try {
    await subscriber.subscribe(channel);
    if (publisher.status !== 'ready') await once(publisher, 'ready');
  } catch (error) {
    publisher.disconnect();
    subscriber.disconnect();
    throw error;
  }
  return {
    // The change behind an event is stored before it is published: a Redis outage costs live
    // delivery (clients catch up by querying), never the request or the data.
    publish: async (event) => {
      try {
        await publisher.publish(channel, JSON.stringify(event));
      } catch (error) {
        logger.warn('real-time event not delivered', {
          room: event.room,
          name: event.name,
          error: errorMessage(error),
        });
      }
    },
    ping: async () => {
      await publisher.ping();
    },
    // Resolves once both connections are closed (at most ioredis's short wait in an outage).
    close: async () => {
      await Promise.all([closeRedis(publisher), closeRedis(subscriber)]);
    },
  };
}

/**
 * An iterator over one room's events. Built on `events.on`, whose `return()` ends a pending
 * `next()` at once; an async generator would wait for one more event before it let go, so an
 * unsubscribed client would keep its listener until the room spoke again.
 */
function roomEvents<T>(
  local: EventEmitter,
  room: string,
  names: Set<string> | undefined,
): AsyncIterableIterator<RealtimeEvent<T>> {
  const source = on(local, room) as AsyncIterableIterator<[RealtimeEvent<T>]>;
  const iterator: AsyncIterableIterator<RealtimeEvent<T>> = {
    async next() {
      for (;;) {
        const result = await source.next();
        if (result.done) return { done: true, value: undefined };
        const [event] = result.value;
        if (!names || names.has(event.name)) return { done: false, value: event };
      }
    },
    async return() {
      await source.return?.();
      return { done: true, value: undefined };
    },
    async throw(error?: unknown) {
      await source.return?.();
      throw error;
    },
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}
