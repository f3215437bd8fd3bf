import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * A subgraph's `codegen.ts`: resolver signatures from its `schema.graphql` (the source of truth),
 * with its own record types as the parents resolvers receive. Paths are the subgraph's.
 */
export function subgraphCodegen(options: {
  /** `../context#<Name>Context`, relative to src/generated. */
  contextType: string;
  /** GraphQL type → `../data/<file>#<RecordType>`. */
  mappers: Record<string, string>;
}): CodegenConfig {
  return {
    schema: ['schema.graphql', '../../shared/graphql/federation.graphql'],
    generates: {
      'src/generated/graphql.ts': {
        plugins: ['typescript', 'typescript-resolvers'],
        config: {
          federation: true,
          useIndexSignature: true,
          contextType: options.contextType,
          scalars: { DateTime: 'Date' },
          mappers: options.mappers,
          enumsAsTypes: true,
          avoidOptionals: { field: true },
        },
      },
    },
  };
}
