import { requireUser } from '@fitnexa/shared/auth';
import type { MutationResolvers } from '../generated/graphql';

export const Mutation: MutationResolvers = {
  startWorkoutSession: (_, args, context) => context.workouts.start(requireUser(context), args),

  logSet: (_, args, context) => context.workouts.logSet(requireUser(context), args),

  completeWorkoutSession: (_, { sessionId }, context) =>
    context.workouts.complete(requireUser(context), sessionId),

  createWorkoutTemplate: (_, { input }, context) =>
    context.templates.create(requireUser(context), input),

  updateWorkoutTemplate: (_, { id, input }, context) =>
    context.templates.update(requireUser(context), id, input),

  deleteWorkoutTemplate: (_, { id }, context) => context.templates.delete(requireUser(context), id),
};
