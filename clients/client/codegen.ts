import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * Typed document nodes for the operations in src/operations, checked against the supergraph's public
 * schema (schema/api.graphql, kept fresh by `npm run compose`). Runs at install (`generate`); the
 * output is git-ignored and a test fails when it differs from what this config generates.
 */
const config: CodegenConfig = {
  schema: '../../schema/api.graphql',
  documents: ['src/operations/**/*.graphql'],
  generates: {
    'src/generated/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false, gqlTagName: 'graphql' },
      config: {
        // Node's ESM (and tsc's NodeNext) need the extension on relative imports.
        emitLegacyCommonJSImports: false,
        scalars: { DateTime: 'string' },
        enumsAsTypes: true,
        useTypeImports: true,
        documentMode: 'documentNode',
      },
    },
  },
};

export default config;
