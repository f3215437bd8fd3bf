import type { KeyValueCache } from '@apollo/utils.keyvaluecache';
import type { Cache } from '@fitnexa/shared/cache';

/** A day: clients register a query again after that, or after an eviction. */
const DEFAULT_TTL_SECONDS = 86_400;

/**
 * Apollo's automatic persisted queries kept in our cache: Redis, so a query registered through one
 * gateway instance is found by every other; in-process without REDIS_URL. A Redis outage is a
 * miss, and the client simply sends the full query.
 */
export function persistedQueryStore(cache: Cache): KeyValueCache<string> {
  return {
    get: (key) => cache.get<string>(key),
    set: (key, value, options) => cache.set(key, value, options?.ttl ?? DEFAULT_TTL_SECONDS),
    delete: async (key) => {
      await cache.delete(key);
      return true;
    },
  };
}
