import type { QueryResolvers } from '../generated/graphql';

// Gyms and their schedules are public: no sign-in needed.
export const Query: QueryResolvers = {
  gymsNear: (_, args, { gyms }) => gyms.near(args),

  gym: (_, { id }, { loaders }) => loaders.gymById.load(id),

  gymSchedule: (_, args, { classes }) => classes.scheduleOf(args),
};
