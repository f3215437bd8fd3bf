import type { MembershipPlanResolvers } from '../generated/graphql';
import { gymOf } from './references';

export const MembershipPlan: MembershipPlanResolvers = {
  gym: (plan, _, context) => gymOf(plan.gymId, context),
};
