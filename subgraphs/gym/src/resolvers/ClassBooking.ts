import type { ClassBookingResolvers } from '../generated/graphql';
import { classOf } from './references';

export const ClassBooking: ClassBookingResolvers = {
  class: (booking, _, context) => classOf(booking.classId, context),

  user: (booking) => ({ id: booking.userId }),
};
