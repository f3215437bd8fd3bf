import { InMemoryLRUCache, type KeyValueCache } from '@apollo/utils.keyvaluecache';
import type { DocumentNode } from 'graphql';
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

/** Apollo's default bound for parsed documents, 30 MiB, now counted with their source text. */
const DOCUMENT_STORE_MAX_BYTES = 30 * 1024 * 1024;

/**
 * Apollo's cache of parsed and validated documents, bounded by what they really hold. Apollo's
 * own sizes a document by its JSON, which leaves out `loc.source`: the whole query text, kept
 * alive by every cached document. Queries padded with comments (which cost no tokens) then grew
 * the gateway by their full size each, 900 KB apiece, without reaching the bound.
 */
export function documentStore(maxBytes = DOCUMENT_STORE_MAX_BYTES) {
  return new InMemoryLRUCache<DocumentNode>({
    maxSize: maxBytes,
    sizeCalculation: (document) =>
      InMemoryLRUCache.sizeCalculation(document) + (document.loc?.source.body.length ?? 0),
  });
}
