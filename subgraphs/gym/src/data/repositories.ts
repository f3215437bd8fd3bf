import type { BookingRepository } from './bookings';
import type { CheckInRepository } from './check-ins';
import type { GymClassRepository } from './classes';
import type { GymRepository } from './gyms';
import type { MembershipRepository } from './memberships';
import type { PlanRepository } from './plans';

/** The repositories of the service, as the domain and the loaders use them. */
export interface GymRepositories {
  gyms: GymRepository;
  plans: PlanRepository;
  memberships: MembershipRepository;
  classes: GymClassRepository;
  bookings: BookingRepository;
  checkIns: CheckInRepository;
}
