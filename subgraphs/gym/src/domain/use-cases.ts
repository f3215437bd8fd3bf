import type { Logger } from '@fitnexa/shared/logger';
import type { GymRepositories } from '../data/repositories';
import { Bookings } from './bookings';
import { CheckIns } from './check-ins';
import { Classes } from './classes';
import type { Gyms } from './gyms';
import { Memberships } from './memberships';

export interface UseCases {
  memberships: Memberships;
  classes: Classes;
  bookings: Bookings;
  checkIns: CheckIns;
}

/** The use cases over gyms, on one clock (the seed sets it back to make history). */
export function createUseCases(deps: {
  repositories: GymRepositories;
  gyms: Gyms;
  logger: Logger;
  now?: () => Date;
}): UseCases {
  const { repositories, gyms, logger, now } = deps;
  return {
    memberships: new Memberships({
      memberships: repositories.memberships,
      plans: repositories.plans,
      now,
    }),
    classes: new Classes({ classes: repositories.classes, gyms, now }),
    bookings: new Bookings({
      bookings: repositories.bookings,
      classes: repositories.classes,
      memberships: repositories.memberships,
      logger,
      now,
    }),
    checkIns: new CheckIns({
      checkIns: repositories.checkIns,
      memberships: repositories.memberships,
      gyms,
      now,
    }),
  };
}
