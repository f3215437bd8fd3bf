import { InMemoryLRUCache } from '@apollo/utils.keyvaluecache';
import type { Cache } from '@fitnexa/shared/cache';
import type { DocumentNode } from 'graphql';
import { keyValueStore } from '../key-value-store';

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

/**
 * Apollo's documents: automatic persisted queries in the shared cache (a query registered at one
 * gateway instance is known at all), parsed documents in the bounded store above.
 */
export function persistedDocuments(cache: Cache) {
  return { persistedQueries: { cache: keyValueStore(cache) }, documentStore: documentStore() };
}
