import type { KeyValueCache } from '@apollo/utils.keyvaluecache';
import type { Cache } from '@fitnexa/shared/cache';

/** A day, when Apollo gives no TTL: clients register a persisted query again after that. */
const DEFAULT_TTL_SECONDS = 86_400;

/**
 * Apollo's key-value cache (persisted queries, cached responses) kept in our cache: Redis, so
 * what one gateway instance stored every other finds; in-process without REDIS_URL. A Redis
 * outage is a miss: the client sends the full query, the response is computed.
 */
export function keyValueStore(cache: Cache): KeyValueCache<string> {
  return {
    get: (key) => cache.get<string>(key),
    set: (key, value, options) => cache.set(key, value, options?.ttl ?? DEFAULT_TTL_SECONDS),
    delete: async (key) => {
      await cache.delete(key);
      return true;
    },
  };
}
