import { subgraphCodegen } from '@fitnexa/shared/codegen';

export default subgraphCodegen({
  contextType: '../context#GymContext',
  mappers: {
    User: '../data/gyms#UserReference',
    Gym: '../data/gyms#GymRecord',
    MembershipPlan: '../data/plans#PlanRecord',
    Membership: '../data/memberships#MembershipRecord',
    GymClass: '../data/classes#GymClassRecord',
    ClassBooking: '../data/bookings#BookingRecord',
    CheckIn: '../data/check-ins#CheckInRecord',
  },
});
