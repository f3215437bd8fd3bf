import { isUuid } from '@fitnexa/shared/db';
import type { EventHandler } from '@fitnexa/shared/events';
import type { Logger } from '@fitnexa/shared/logger';
import type { GymRepositories } from '../data/repositories';
import type { BookingRecord } from '../data/bookings';
import type { GymTransaction } from '../db';
import { fillFreedSpot, logPromotion } from './bookings';

export interface ErasureDeps {
  repositories: Pick<GymRepositories, 'bookings' | 'checkIns' | 'memberships'>;
  logger: Logger;
  now?: () => Date;
}

/**
 * `identity.user.deleted`: erases what gym holds of the person, all in the event's transaction.
 *
 * - Bookings are deleted; a spot they held in a class that has not started goes to the first
 *   waitlisted member, as when a booking is cancelled (under the class's lock, like a cancellation).
 * - Check-ins are deleted: a visit log is personal data with no purpose once the member is gone.
 * - Memberships are ended (CANCELLED, or EXPIRED if already run out) and kept, unlinked: each
 *   row's userId becomes a random id of its own. A gym has a legitimate need for its contract
 *   history (revenue per plan, churn, accounting), and once nothing leads back to the person it is
 *   no longer personal data: anonymising, rather than deleting, is what erasure asks for here.
 * - Gyms the user owns and classes they coach stay: they are the business's, with members and
 *   bookings of other people; handing them over or closing them is an operator's decision.
 *
 * Nothing in the cache holds a member's data (it holds gyms, plans and distance searches, which
 * this leaves alone; memberships, bookings, occupancy and check-ins are read per request), so
 * there is nothing to invalidate. After the commit it logs the promotions and the erasure.
 */
export function eraseDeletedUser(
  deps: ErasureDeps,
): EventHandler<'identity.user.deleted', GymTransaction> {
  const now = deps.now ?? (() => new Date());
  const { bookings, checkIns, memberships } = deps.repositories;
  return async (event, tx) => {
    const { userId } = event.data;
    // Not an id gym could hold anything under.
    if (!isUuid(userId)) return;
    const at = now();
    const promoted: BookingRecord[] = [];
    let bookingsRemoved = 0;
    for (const gymClass of await bookings.lockClasses(
      tx,
      await bookings.classIdsOfUser(tx, userId),
    )) {
      const live = await gymClass.liveBookingOf(userId);
      bookingsRemoved += await gymClass.removeAllOf(userId);
      const next = live ? await fillFreedSpot(gymClass, live, at) : null;
      if (next) promoted.push(next);
    }
    const checkInsDeleted = await checkIns.deleteOfUser(tx, userId);
    const membershipsEnded = await memberships.anonymiseOfUser(tx, userId, at);
    return () => {
      for (const booking of promoted) logPromotion(deps.logger, booking);
      deps.logger.info("deleted user's gym data erased", {
        userId,
        bookings: bookingsRemoved,
        promoted: promoted.length,
        checkIns: checkInsDeleted,
        memberships: membershipsEnded,
      });
    };
  };
}
