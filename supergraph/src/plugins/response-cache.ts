import type { ApolloServerPlugin, GraphQLRequestContext } from '@apollo/server';
import ApolloServerPluginResponseCache from '@apollo/server-plugin-response-cache';
import type { Cache } from '@fitnexa/shared/cache';
import { LRUCache } from 'lru-cache';
import type { GatewayContext } from '../context';
import { keyValueStore } from '../key-value-store';

/** Operations remembered as answered uncacheably: far more than a graph's distinct operations. */
const REMEMBERED_OPERATIONS = 10_000;

/**
 * Whole responses whose every part the subgraphs marked cacheable (their Cache-Control, from
 * @cacheControl): public ones shared by everyone, private ones per user.
 *
 * An operation whose last answer could not be cached (a field with no max age, say) is not looked
 * up: for a signed-in caller that lookup is two cache reads (their private entry, then the public
 * one) that cannot hit. Its next cacheable answer is stored as always and makes it looked up again
 * (decision 0038).
 */
export function responseCache(cache: Cache): ApolloServerPlugin<GatewayContext>[] {
  const uncacheable = new LRUCache<string, true>({ max: REMEMBERED_OPERATIONS });
  const operationOf = ({ queryHash, operationName }: GraphQLRequestContext<GatewayContext>) =>
    queryHash === undefined ? undefined : `${queryHash}\n${operationName ?? ''}`;

  const learning: ApolloServerPlugin<GatewayContext> = {
    async requestDidStart() {
      return {
        async willSendResponse(requestContext) {
          const operation = operationOf(requestContext);
          const { body } = requestContext.response;
          // An answer with errors is never stored, whatever its policy: it tells nothing.
          if (!operation || body.kind !== 'single' || body.singleResult.errors) return;
          if (requestContext.overallCachePolicy.policyIfCacheable()) uncacheable.delete(operation);
          else uncacheable.set(operation, true);
        },
      };
    },
  };
  return [
    ApolloServerPluginResponseCache<GatewayContext>({
      cache: keyValueStore(cache),
      sessionId: async ({ contextValue }) => contextValue.principal?.userId ?? null,
      shouldReadFromCache: async (requestContext) => {
        const operation = operationOf(requestContext);
        return !operation || !uncacheable.has(operation);
      },
    }),
    learning,
  ];
}
