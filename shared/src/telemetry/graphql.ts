import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { trace } from '@opentelemetry/api';
import type { GraphQLFieldResolver } from 'graphql';
import type { GraphQLResolverMap } from '../subgraph/resolver-map';
import { failSpan, isTracing, tracer } from './tracing';

/**
 * Names the request's span after its GraphQL operation (`query Dashboard`) and times parsing and
 * validation under it. Does nothing when tracing is off.
 */
export function tracingPlugin<TContext extends BaseContext>(): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      if (!isTracing()) return;
      const request = trace.getActiveSpan();
      // A request the sampler left out: its children would not be recorded either.
      if (!request?.isRecording()) return;
      const timed = (name: string) => {
        const span = tracer().startSpan(name);
        return async (error?: unknown) => {
          if (error) failSpan(span, error);
          span.end();
        };
      };
      return {
        async parsingDidStart() {
          return timed('graphql.parse');
        },
        async validationDidStart() {
          const end = timed('graphql.validate');
          return (errors) => end(errors?.[0]);
        },
        async didResolveOperation({ operation, operationName }) {
          const type = operation?.operation ?? 'query';
          request.updateName(`${type} ${operationName ?? '(anonymous)'}`);
          request.setAttributes({
            'graphql.operation.type': type,
            ...(operationName ? { 'graphql.operation.name': operationName } : {}),
          });
        },
      };
    },
  };
}

/** Types whose resolvers do a service's work: root fields and entity lookups (below). */
const ROOT_TYPES = new Set(['Query', 'Mutation']);

/**
 * A span around each resolver that does a subgraph's work: every root query and mutation field
 * and every `__resolveReference` (entity lookups for the gateway's `_entities`), so that the
 * database and cache calls it makes are its children. Field resolvers of other types mostly read
 * their parent or a batched loader and stay untraced. Returns the map unchanged when tracing is
 * off.
 */
export function traceResolvers<TContext>(
  resolvers: GraphQLResolverMap<TContext>,
): GraphQLResolverMap<TContext> {
  if (!isTracing()) return resolvers;
  return Object.fromEntries(
    Object.entries(resolvers).map(([typeName, fields]) => {
      if (typeof fields !== 'object' || !fields || 'serialize' in fields) {
        return [typeName, fields];
      }
      const wrapped = Object.entries(fields).map(([field, resolver]) =>
        typeof resolver === 'function' &&
        (ROOT_TYPES.has(typeName) || field === '__resolveReference')
          ? [
              field,
              traced(`${typeName}.${field}`, resolver as GraphQLFieldResolver<never, TContext>),
            ]
          : [field, resolver],
      );
      return [typeName, Object.fromEntries(wrapped)];
    }),
  ) as GraphQLResolverMap<TContext>;
}

function traced<TContext>(
  name: string,
  resolve: GraphQLFieldResolver<never, TContext>,
): GraphQLFieldResolver<never, TContext> {
  return (...args) =>
    tracer().startActiveSpan(`resolve ${name}`, (span) => {
      const settle = <T>(value: T) => {
        span.end();
        return value;
      };
      try {
        const result: unknown = resolve(...args);
        if (!(result instanceof Promise)) return settle(result);
        return result.then(settle, (error: unknown) => {
          failSpan(span, error);
          span.end();
          throw error;
        });
      } catch (error) {
        failSpan(span, error);
        span.end();
        throw error;
      }
    });
}
