import type { ExerciseSetResolvers } from '../generated/graphql';
import { exerciseOf } from './exercises';

export const ExerciseSet: ExerciseSetResolvers = {
  exercise: (set, _, context) => exerciseOf(set.exerciseId, context),

  personalRecords: (set, _, { loaders }) => loaders.recordsBySetId.load(set.id),
};
