import type {
  GatewayExecutionResult,
  GatewayExecutor,
  GatewayGraphQLRequestContext,
  GatewayInterface,
} from '@apollo/server-gateway-interface';
import type { CachePolicy } from '@apollo/cache-control-types';
import type { GatewayContext } from '../context';

interface Execution {
  result: Promise<GatewayExecutionResult>;
  /** The cache policy the subgraphs' answers gave the first caller's request. */
  policy: CachePolicy;
}

/**
 * Identical queries of one caller in flight at once are executed once (decision 0035): same
 * access token (or none), same schema, document, operation and variables. Each request still goes
 * through everything of its own before execution (token, limits, rate limit, validation,
 * persisted queries, response cache) and after it (error formatting, logs, metrics); only the
 * query plan's run is shared, and with it the subgraph answers it would have fetched at the same
 * moment anyway. Never across callers, never a mutation: a caller's mutation makes every query of
 * theirs already in flight unjoinable, so a query sent after the mutation's answer reads after it.
 */
export function sharingIdenticalQueries(gateway: GatewayInterface): GatewayInterface {
  return {
    onSchemaLoadOrUpdate: (callback) => gateway.onSchemaLoadOrUpdate(callback),
    stop: () => gateway.stop(),
    async load(options) {
      const loaded = await gateway.load(options);
      return { ...loaded, executor: loaded.executor && sharedExecutor(loaded.executor) };
    },
  };
}

function sharedExecutor(execute: GatewayExecutor): GatewayExecutor {
  /** Per caller (access token, '' signed out): their queries in flight that others may join. */
  const joinable = new Map<string, Map<string, Execution>>();

  return async (requestContext) => {
    const caller = (requestContext.context as Partial<GatewayContext>).accessToken ?? '';
    if (requestContext.operation.operation !== 'query') {
      joinable.delete(caller);
      return execute(requestContext);
    }
    const key = executionKey(requestContext);
    const running = joinable.get(caller)?.get(key);
    if (running) {
      const result = await running.result;
      requestContext.overallCachePolicy.restrict(running.policy);
      // Apollo formats the errors per request; the list is this request's own.
      return { ...result, ...(result.errors && { errors: [...result.errors] }) };
    }
    const execution: Execution = {
      result: execute(requestContext),
      policy: requestContext.overallCachePolicy as CachePolicy,
    };
    const ofCaller = joinable.get(caller) ?? new Map<string, Execution>();
    joinable.set(caller, ofCaller.set(key, execution));
    try {
      return await execution.result;
    } finally {
      // Only this execution: a mutation may have replaced the caller's map meanwhile.
      if (ofCaller.get(key) === execution) ofCaller.delete(key);
      if (ofCaller.size === 0 && joinable.get(caller) === ofCaller) joinable.delete(caller);
    }
  };
}

function executionKey({
  schemaHash,
  queryHash,
  operationName,
  request,
}: GatewayGraphQLRequestContext) {
  return `${schemaHash}\n${queryHash}\n${operationName ?? ''}\n${JSON.stringify(request.variables ?? {})}`;
}
