import type { GymClassResolvers } from '../generated/graphql';
import { gymOf } from './references';

export const GymClass: GymClassResolvers = {
  gym: (gymClass, _, context) => gymOf(gymClass.gymId, context),

  coach: (gymClass) => ({ id: gymClass.coachId }),

  bookedCount: async (gymClass, _, { loaders }) =>
    (await loaders.occupancyByClassId.load(gymClass.id)).booked,

  waitlistedCount: async (gymClass, _, { loaders }) =>
    (await loaders.occupancyByClassId.load(gymClass.id)).waitlisted,

  spotsLeft: async (gymClass, _, { loaders }) =>
    Math.max(0, gymClass.capacity - (await loaders.occupancyByClassId.load(gymClass.id)).booked),
};
