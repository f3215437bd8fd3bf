import ApolloServerPluginResponseCache from '@apollo/server-plugin-response-cache';
import type { Cache } from '@fitnexa/shared/cache';
import type { GatewayContext } from '../context';
import { keyValueStore } from '../key-value-store';

/**
 * Whole responses whose every part the subgraphs marked cacheable (their Cache-Control, from
 * @cacheControl): public ones shared by everyone, private ones per user.
 */
export function responseCache(cache: Cache) {
  return ApolloServerPluginResponseCache<GatewayContext>({
    cache: keyValueStore(cache),
    sessionId: async ({ contextValue }) => contextValue.principal?.userId ?? null,
  });
}
