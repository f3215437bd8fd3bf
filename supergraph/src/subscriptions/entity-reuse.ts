import type { GraphQLDataSource, ServiceMap } from '@apollo/gateway';
import { LRUCache } from 'lru-cache';

type ProcessOptions = Parameters<GraphQLDataSource['process']>[0];

export interface EntityReuseOptions {
  /** An answer younger than this is served as it is (default 2 s). */
  freshMs?: number;
  /**
   * An answer older than this is never served (default 10 s); between `freshMs` and this, it is
   * served while one new fetch runs in the background for the events after it.
   */
  maxAgeMs?: number;
  /** Answers kept at most (default 10,000): the least recently used go first. */
  maxAnswers?: number;
  /** Milliseconds on a monotonic clock (tests move it by hand). */
  now?: () => number;
}

/**
 * Entity fetches of per-event plans answered from what an earlier event fetched. Only for plans
 * whose every fetched field is declared `@sameForEveryCaller` (the caller's token cannot change the
 * answer, decision 0031): such a fetch's answer depends on its subgraph, its operation and its
 * variables (the entities' keys), and on being signed in or not, which is the key. A message's
 * sender then costs one identity request per sender every few seconds instead of one per message.
 * Answers with errors are never kept. A field changed at its subgraph (a new displayName) reaches
 * new events within `maxAgeMs`, within about `freshMs` while events keep coming. Why:
 * docs/decisions/0033-subscription-entity-answers-across-events.md.
 */
export function reuseEntityAnswers(options: EntityReuseOptions = {}) {
  const freshMs = options.freshMs ?? 2_000;
  const maxAgeMs = options.maxAgeMs ?? 10_000;
  const now = options.now ?? (() => performance.now());
  const answers = new LRUCache<string, { data: string; at: number }>({
    max: options.maxAnswers ?? 10_000,
  });
  /** Keys whose background fetch is under way: one at a time each. */
  const refreshing = new Set<string>();

  async function fetchAndKeep(key: string, source: GraphQLDataSource, request: ProcessOptions) {
    const response = await source.process(request);
    if (response.data && !response.errors?.length) {
      // Kept as JSON: Apollo's executor merges answers into its results, which must not be shared.
      answers.set(key, { data: JSON.stringify(response.data), at: now() });
    }
    return response;
  }

  function refresh(key: string, source: GraphQLDataSource, request: ProcessOptions) {
    if (refreshing.has(key)) return;
    refreshing.add(key);
    // A failure leaves the kept answer to age out; the next event past it fetches for itself.
    fetchAndKeep(key, source, request)
      .catch(() => undefined)
      .finally(() => refreshing.delete(key));
  }

  const reusing = (name: string, source: GraphQLDataSource, signedIn: boolean) => ({
    process(request: ProcessOptions) {
      const { query, variables } = request.request;
      const key = JSON.stringify([signedIn, name, query, variables ?? null]);
      const kept = answers.get(key);
      const age = kept ? now() - kept.at : Infinity;
      if (!kept || age >= maxAgeMs) return fetchAndKeep(key, source, request);
      if (age >= freshMs) refresh(key, source, request);
      return Promise.resolve({ data: JSON.parse(kept.data) as Record<string, unknown> });
    },
  });

  return {
    /** The data sources, each answering from earlier events' fetches where it can. */
    sources(dataSources: ServiceMap, signedIn: boolean): ServiceMap {
      return Object.fromEntries(
        Object.entries(dataSources).map(([name, source]) => [
          name,
          reusing(name, source, signedIn),
        ]),
      );
    },
  };
}
