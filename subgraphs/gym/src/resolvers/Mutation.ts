import { requireUser } from '@fitnexa/shared/auth';
import type { MutationResolvers } from '../generated/graphql';

export const Mutation: MutationResolvers = {
  createGym: (_, { input }, context) => context.gyms.create(requireUser(context), input),

  updateGym: (_, { id, input }, context) => context.gyms.update(requireUser(context), id, input),

  createMembershipPlan: (_, { input }, context) =>
    context.gyms.createPlan(requireUser(context), input),

  joinGym: (_, { planId }, context) => context.memberships.join(requireUser(context), planId),

  freezeMembership: (_, { membershipId }, context) =>
    context.memberships.freeze(requireUser(context), membershipId),

  resumeMembership: (_, { membershipId }, context) =>
    context.memberships.resume(requireUser(context), membershipId),

  cancelMembership: (_, { membershipId }, context) =>
    context.memberships.cancel(requireUser(context), membershipId),

  scheduleClass: (_, { input }, context) => context.classes.schedule(requireUser(context), input),

  bookClass: (_, { classId }, context) => context.bookings.book(requireUser(context), classId),

  cancelBooking: (_, { bookingId }, context) =>
    context.bookings.cancel(requireUser(context), bookingId),

  checkIn: (_, { gymId }, context) => context.checkIns.checkIn(requireUser(context), gymId),
};
