import type { MembershipResolvers } from '../generated/graphql';
import { gymOf, planOf } from './references';

export const Membership: MembershipResolvers = {
  user: (membership) => ({ id: membership.userId }),

  gym: (membership, _, context) => gymOf(membership.gymId, context),

  plan: (membership, _, context) => planOf(membership.planId, context),

  status: (membership, _, { memberships }) => memberships.statusOf(membership),
};
