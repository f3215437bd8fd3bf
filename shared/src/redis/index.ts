import { Redis } from 'ioredis';

export interface FailFastRedisOptions {
  url: string;
  /** How long one command may take before it counts as a failure. */
  commandTimeoutMs: number;
  keyPrefix?: string;
  /** Commands issued in one turn of the event loop leave in one write (ioredis's auto-pipelining). */
  autoPipelining?: boolean;
  /** ioredis subscribes again after a reconnection (default); false: the caller does. */
  autoResubscribe?: boolean;
  /** Redis went away (once per outage, not once per reconnect attempt). */
  onOutage(error: string): void;
  /** Redis is back after an outage. */
  onRecovered(): void;
}

/** ioredis's wait for a socket that does not close (`disconnectTimeout`), and a margin. */
export const DISCONNECT_TIMEOUT_MS = 200;
const CLOSE_WAIT_MS = DISCONNECT_TIMEOUT_MS + 100;

/**
 * An ioredis client for what works without Redis, only worse (cache, rate limits): commands fail
 * fast while Redis is away instead of queueing behind it, reconnects go on in the background, and
 * the start waits for the connection at most 2 s.
 */
export async function connectFailFast(options: FailFastRedisOptions) {
  let closing = false;
  const redis = new Redis(options.url, {
    keyPrefix: options.keyPrefix,
    enableAutoPipelining: options.autoPipelining ?? false,
    autoResubscribe: options.autoResubscribe ?? true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: options.commandTimeoutMs,
    connectTimeout: 2_000,
    // ioredis waits this long for a socket that already failed to close; don't hold shutdown on it.
    disconnectTimeout: DISCONNECT_TIMEOUT_MS,
    retryStrategy: (attempt) => (closing ? null : Math.min(attempt * 200, 5_000)),
  });
  let away = false;
  const lost = (reason: string) => {
    if (!away && !closing) options.onOutage(reason);
    away = true;
  };
  redis.on('error', (error: Error) => lost(error.message));
  // A server that shuts down cleanly closes the socket without an error.
  redis.on('close', () => lost('connection closed'));
  redis.on('ready', () => {
    if (away) options.onRecovered();
    away = false;
  });
  await new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      redis.off('ready', done);
      resolve();
    };
    const timer = setTimeout(done, 2_000);
    redis.once('ready', done);
  });
  return {
    redis,
    /** Resolves once the connection is closed (see `closeRedis`). */
    async close() {
      closing = true;
      await closeRedis(redis);
    },
  };
}

/**
 * Disconnects `redis` and resolves once the connection is closed: at once when the server answers,
 * after ioredis's wait (`disconnectTimeout`, 200 ms here) when it does not (an outage), so no timer
 * or socket of it outlives the close.
 */
export async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status === 'end') return;
  let ended: () => void = () => {};
  let timer: NodeJS.Timeout | undefined;
  await new Promise<void>((resolve) => {
    ended = resolve;
    redis.once('end', ended);
    // Not every state ends with 'end' (between reconnection attempts ioredis only stops them, and
    // its timer for the old socket runs out): past that wait nothing is left.
    timer = setTimeout(resolve, CLOSE_WAIT_MS);
    redis.disconnect();
  });
  clearTimeout(timer);
  redis.off('end', ended);
}
