import { ConflictError, NotFoundError, parseInput } from '@fitnexa/shared/errors';
import type { Logger } from '@fitnexa/shared/logger';
import type { Principal } from '@fitnexa/shared/types';
import type {
  BookedClassesRequest,
  BookingRecord,
  BookingRepository,
  LockedClassBookings,
} from '../data/bookings';
import type { GymClassRepository } from '../data/classes';
import type { MembershipRepository } from '../data/memberships';
import { requireSelfOrAdmin } from './access';
import { requireActiveMembership } from './memberships';
import { dateRange } from './validation';

/** Validates the range of a user's booked classes (BAD_USER_INPUT otherwise). */
export function bookedClassesRequest(
  userId: string,
  args: { from: Date; to: Date },
): BookedClassesRequest {
  return { userId, ...parseInput(dateRange, { from: args.from, to: args.to }) };
}

export interface BookingsDeps {
  bookings: BookingRepository;
  classes: GymClassRepository;
  memberships: MembershipRepository;
  logger: Logger;
  now?: () => Date;
}

const startedError = () => new ConflictError('This class has already started');

/**
 * The waitlist rule: a spot freed (a BOOKED booking gone) in a class that has not started yet
 * goes to whoever has waited longest. Call it under the class's lock, after the spot was freed.
 */
export function fillFreedSpot(
  locked: LockedClassBookings,
  freed: Pick<BookingRecord, 'status'>,
  now: Date,
): Promise<BookingRecord | null> {
  return freed.status === 'BOOKED' && locked.gymClass.startsAt > now
    ? locked.promoteFirstWaitlisted()
    : Promise.resolve(null);
}

/** Logs a promotion once its transaction has committed. */
export function logPromotion(logger: Logger, promoted: BookingRecord): void {
  logger.info('waitlisted booking promoted', {
    classId: promoted.classId,
    bookingId: promoted.id,
    userId: promoted.userId,
  });
}

/**
 * Class bookings: a spot while there is one, the waitlist after; a cancelled spot goes to whoever
 * has waited longest. Every change to a class's bookings holds the class's row lock.
 */
export class Bookings {
  private readonly now: () => Date;

  constructor(private readonly deps: BookingsDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  async book(principal: Principal, classId: string): Promise<BookingRecord> {
    const [gymClass] = await this.deps.classes.findByIds([classId]);
    if (!gymClass) throw new NotFoundError('Class');
    if (gymClass.startsAt <= this.now()) throw startedError();
    await requireActiveMembership(
      this.deps.memberships,
      principal.userId,
      gymClass.gymId,
      this.now(),
    );
    const booking = await this.deps.bookings.withClassLocked(classId, async (locked) => {
      // Read again under the lock: the checks and the count hold until the booking is written.
      const now = this.now();
      if (locked.gymClass.startsAt <= now) throw startedError();
      if (await locked.liveBookingOf(principal.userId)) {
        throw new ConflictError('You already have a booking of this class');
      }
      const booked = await locked.bookedCount();
      return locked.create(
        principal.userId,
        booked < locked.gymClass.capacity ? 'BOOKED' : 'WAITLISTED',
        now,
      );
    });
    if (!booking) throw new NotFoundError('Class');
    return booking;
  }

  /** The booker or an admin, before the class starts; a freed spot books the first waitlisted. */
  async cancel(principal: Principal, bookingId: string): Promise<BookingRecord> {
    const booking = await this.deps.bookings.findById(bookingId);
    if (!booking) throw new NotFoundError('Booking');
    requireSelfOrAdmin(principal, booking.userId);
    const outcome = await this.deps.bookings.withClassLocked(booking.classId, async (locked) => {
      const now = this.now();
      if (locked.gymClass.startsAt <= now) throw startedError();
      // Its status as of now: a waitlisted booking may have been promoted meanwhile.
      const live = await locked.findLive(booking.id);
      if (!live) throw new ConflictError('This booking is already cancelled');
      const cancelled = await locked.cancel(live.id);
      const promoted = await fillFreedSpot(locked, live, now);
      return { cancelled, promoted };
    });
    // The class cascades to its bookings: both are gone.
    if (!outcome) throw new NotFoundError('Booking');
    if (outcome.promoted) logPromotion(this.deps.logger, outcome.promoted);
    return outcome.cancelled;
  }
}
