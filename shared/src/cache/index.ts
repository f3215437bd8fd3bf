import { LRUCache } from 'lru-cache';
import { connectFailFast } from '../redis';
import type { Logger } from '../logger/types';
import { errorMessage } from '../errors';

/**
 * A cache for hot reads. Values are JSON. Every failure is logged and treated as a miss, so a
 * cache outage makes requests slower and breaks none.
 */
export interface Cache {
  get<T>(key: string): Promise<T | undefined>;
  set(key: string, value: unknown, ttlSeconds: number): Promise<void>;
  delete(...keys: string[]): Promise<void>;
  /** Reads through: the cached value, or `load()`'s, cached for next time (undefined/null are not cached). */
  getOrLoad<T>(key: string, ttlSeconds: number, load: () => Promise<T>): Promise<T>;
  /** For readiness: resolves when the cache answers. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface CacheOptions {
  /** Redis URL; absent means the in-process stand-in (the embedded default). */
  url?: string;
  /** Prepended to every key, so services (and test runs) sharing a Redis never collide. */
  prefix: string;
  logger: Logger;
  /** How long a Redis command may take before it counts as a miss. */
  commandTimeoutMs?: number;
  /**
   * The in-process stand-in's bound: the least recently used entries go beyond it, and an entry
   * larger than it is not kept. Default DEFAULT_MEMORY_CACHE_MAX_BYTES.
   */
  maxBytes?: number;
}

/** 64 MiB: a process's cache is a speed-up, never a reason for it to run out of memory. */
export const DEFAULT_MEMORY_CACHE_MAX_BYTES = 64 * 1024 * 1024;

// Dates survive the round trip through JSON.
const isoDate = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const revive = (_key: string, value: unknown) =>
  typeof value === 'string' && isoDate.test(value) ? new Date(value) : value;

/**
 * Connects to Redis (waiting up to 2 s: a service may start while Redis is down and use it once
 * it is back) or makes the in-process stand-in.
 */
export async function createCache(options: CacheOptions): Promise<Cache> {
  return options.url
    ? redisCache(options, options.url)
    : memoryCache(options.prefix, options.maxBytes ?? DEFAULT_MEMORY_CACHE_MAX_BYTES);
}

/**
 * Reads through for many ids at once: those cached come from the cache, the rest are loaded with
 * one `load` call (in the order given to it) and cached for next time. Missing values (null) are
 * not cached, so an id that appears later is found then. A cache outage makes every id a miss.
 */
export async function readThroughMany<Value>(
  cache: Cache,
  ids: readonly string[],
  options: {
    keyOf: (id: string) => string;
    ttlSeconds: number;
    load: (ids: string[]) => Promise<(Value | null)[]>;
  },
): Promise<(Value | null)[]> {
  const unique = [...new Set(ids)];
  const cached = await Promise.all(unique.map((id) => cache.get<Value>(options.keyOf(id))));
  const values = new Map<string, Value | null>();
  const missing: string[] = [];
  unique.forEach((id, index) => {
    const value = cached[index];
    if (value === undefined) missing.push(id);
    else values.set(id, value);
  });
  if (missing.length) {
    const loaded = await options.load(missing);
    await Promise.all(
      missing.map(async (id, index) => {
        const value = loaded[index] ?? null;
        values.set(id, value);
        if (value !== null) await cache.set(options.keyOf(id), value, options.ttlSeconds);
      }),
    );
  }
  return ids.map((id) => values.get(id) ?? null);
}

function withReadThrough(cache: Omit<Cache, 'getOrLoad'>): Cache {
  return {
    ...cache,
    async getOrLoad<T>(key: string, ttlSeconds: number, load: () => Promise<T>): Promise<T> {
      const hit = await cache.get<T>(key);
      if (hit !== undefined) return hit;
      const value = await load();
      if (value !== undefined && value !== null) await cache.set(key, value, ttlSeconds);
      return value;
    },
  };
}

async function redisCache(
  { prefix, logger, commandTimeoutMs = 250 }: CacheOptions,
  url: string,
): Promise<Cache> {
  const { redis, close } = await connectFailFast({
    url,
    keyPrefix: `${prefix}:`,
    commandTimeoutMs,
    onOutage: (error) => logger.warn('cache unavailable; serving from the database', { error }),
    onRecovered: () => logger.info('cache back'),
  });
  const attempt = async <T>(what: string, fallback: T, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      logger.debug(`cache ${what} failed`, {
        error: errorMessage(error),
      });
      return fallback;
    }
  };
  return withReadThrough({
    get: <T>(key: string) =>
      attempt('get', undefined, async () => {
        const raw = await redis.get(key);
        return raw === null ? undefined : (JSON.parse(raw, revive) as T);
      }),
    set: (key, value, ttlSeconds) =>
      attempt('set', undefined, async () => {
        await redis.set(key, JSON.stringify(value), 'EX', ttlSeconds);
      }),
    delete: (...keys) =>
      attempt('delete', undefined, async () => {
        if (keys.length) await redis.del(...keys);
      }),
    ping: async () => {
      await redis.ping();
    },
    close: async () => close(),
  });
}

function memoryCache(prefix: string, maxBytes: number): Cache {
  // Sized by the JSON and key lengths (one byte a character: V8 keeps ASCII strings that way)
  // plus the entry's bookkeeping, so the bound holds whether entries are many or large.
  const entries = new LRUCache<string, { json: string; expiresAt: number }>({
    maxSize: maxBytes,
    sizeCalculation: (entry, key) => entry.json.length + key.length + ENTRY_OVERHEAD_BYTES,
  });
  const full = (key: string) => `${prefix}:${key}`;
  return withReadThrough({
    get: async <T>(key: string) => {
      const entry = entries.get(full(key));
      if (!entry || entry.expiresAt <= Date.now()) return undefined;
      return JSON.parse(entry.json, revive) as T;
    },
    set: async (key, value, ttlSeconds) => {
      entries.set(full(key), {
        json: JSON.stringify(value),
        expiresAt: Date.now() + ttlSeconds * 1000,
      });
    },
    delete: async (...keys) => {
      for (const key of keys) entries.delete(full(key));
    },
    ping: async () => {},
    close: async () => {
      entries.clear();
    },
  });
}

const ENTRY_OVERHEAD_BYTES = 100;
