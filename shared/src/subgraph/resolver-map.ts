import type { GraphQLFieldResolver, GraphQLScalarType } from 'graphql';

/**
 * Resolvers by type and field, as buildSubgraphSchema takes them: @apollo/subgraph exports its
 * own GraphQLResolverMap only from a non-public path. The parent is `never` so that resolvers
 * typed with their own parent (the generated signatures) fit.
 */
export interface GraphQLResolverMap<TContext> {
  [typeName: string]:
    | {
        [fieldName: string]:
          | GraphQLFieldResolver<never, TContext>
          | {
              requires?: string;
              resolve?: GraphQLFieldResolver<never, TContext>;
              subscribe?: GraphQLFieldResolver<never, TContext>;
            };
      }
    | GraphQLScalarType
    | { [enumValue: string]: string | number };
}
