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
        contextType: '../context#WorkoutContext',
        scalars: { DateTime: 'Date' },
        mappers: {
          Exercise: '../data/exercises#ExerciseRecord',
          Gym: '../data/sessions#GymReference',
          User: '../data/sessions#UserReference',
          WorkoutSession: '../data/sessions#SessionRecord',
          ExerciseSet: '../data/sets#SetRecord',
          PersonalRecord: '../data/personal-records#PersonalRecordRecord',
          WorkoutTemplate: '../data/templates#TemplateRecord',
          TemplateExercise: '../data/templates#TemplateExerciseRecord',
          WorkoutStats: '../data/stats#WorkoutStatsRecord',
        },
        enumsAsTypes: true,
        avoidOptionals: { field: true },
      },
    },
  },
};

export default config;
