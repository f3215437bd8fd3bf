import type { ExerciseResolvers } from '../generated/graphql';

export const Exercise: ExerciseResolvers = {
  __resolveReference: (reference, { loaders }) => loaders.exerciseById.load(reference.id),
};
