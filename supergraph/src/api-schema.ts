import { Supergraph } from '@apollo/federation-internals';
import { lexicographicSortSchema, printSchema } from 'graphql';

/**
 * The public API schema of a supergraph, as clients see it: the supergraph without federation's
 * `join__`/`link__` machinery, its types in a stable (sorted) order so a diff shows real changes.
 */
export function apiSchemaOf(supergraphSdl: string): string {
  const schema = Supergraph.build(supergraphSdl).apiSchema().toGraphQLJSSchema();
  return printSchema(lexicographicSortSchema(schema)) + '\n';
}
