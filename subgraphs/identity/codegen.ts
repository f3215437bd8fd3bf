import type { CodegenConfig } from '@graphql-codegen/cli';

// Resolver signatures from schema.graphql (the source of truth), with this subgraph's own
// record types as the parents resolvers receive.
const config: CodegenConfig = {
  schema: ['schema.graphql', '../../shared/graphql/federation.graphql'],
  generates: {
    'src/generated/graphql.ts': {
      plugins: ['typescript', 'typescript-resolvers'],
      config: {
        federation: true,
        useIndexSignature: true,
        contextType: '../context#IdentityContext',
        scalars: { DateTime: 'Date' },
        mappers: {
          User: '../data/users#UserRecord',
          AuthPayload: '../domain/accounts#Session',
        },
        enumsAsTypes: true,
        avoidOptionals: { field: true },
      },
    },
  },
};

export default config;
