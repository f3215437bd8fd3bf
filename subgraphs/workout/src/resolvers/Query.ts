import { requireUser } from '@fitnexa/shared/auth';
import type { QueryResolvers } from '../generated/graphql';

export const Query: QueryResolvers = {
  exercises: (_, args, { catalogue }) => catalogue.page(args),

  exercise: (_, { id }, { loaders }) => loaders.exerciseById.load(id),

  workoutSession: (_, { id }, context) => context.workouts.view(requireUser(context), id),

  myWorkoutTemplates: (_, __, context) => context.templates.list(requireUser(context)),
};
