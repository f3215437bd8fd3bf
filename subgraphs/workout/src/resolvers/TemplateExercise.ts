import type { TemplateExerciseResolvers } from '../generated/graphql';
import { exerciseOf } from './exercises';

export const TemplateExercise: TemplateExerciseResolvers = {
  exercise: (item, _, context) => exerciseOf(item.exerciseId, context),
};
