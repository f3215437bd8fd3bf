import type { CheckInResolvers } from '../generated/graphql';
import { gymOf } from './references';

export const CheckIn: CheckInResolvers = {
  user: (checkIn) => ({ id: checkIn.userId }),

  gym: (checkIn, _, context) => gymOf(checkIn.gymId, context),
};
