import type { GymPrisma, GymTransaction } from '../db';
import type { BookingStatus } from '../generated/prisma/enums';
import { isUuid, rowsPerRequest } from '@fitnexa/shared/db';

export interface BookingRecord {
  id: string;
  classId: string;
  userId: string;
  status: BookingStatus;
  createdAt: Date;
}

/** A user's live bookings of classes starting in [from, to). */
export interface BookedClassesRequest {
  userId: string;
  from: Date;
  to: Date;
}

/** What booking into a class depends on, read under its row lock. */
export interface LockedClass {
  id: string;
  startsAt: Date;
  capacity: number;
}

const fields = {
  id: true,
  classId: true,
  userId: true,
  status: true,
  createdAt: true,
} as const;

/** The bookings of one class, while the surrounding transaction holds the class's row lock. */
export class LockedClassBookings {
  constructor(
    private readonly tx: GymTransaction,
    readonly gymClass: LockedClass,
  ) {}

  /** The user's booked or waitlisted booking of the class, if any. */
  liveBookingOf(userId: string): Promise<BookingRecord | null> {
    return this.tx.classBooking.findFirst({
      where: { classId: this.gymClass.id, userId, live: true },
      select: fields,
    });
  }

  findLive(bookingId: string): Promise<BookingRecord | null> {
    return this.tx.classBooking.findFirst({
      where: { id: bookingId, classId: this.gymClass.id, live: true },
      select: fields,
    });
  }

  bookedCount(): Promise<number> {
    return this.tx.classBooking.count({ where: { classId: this.gymClass.id, status: 'BOOKED' } });
  }

  create(userId: string, status: BookingStatus, createdAt: Date): Promise<BookingRecord> {
    return this.tx.classBooking.create({
      data: { classId: this.gymClass.id, userId, status, createdAt },
      select: fields,
    });
  }

  /** Deletes the user's bookings of the class, whatever their status; returns how many. */
  async removeAllOf(userId: string): Promise<number> {
    const { count } = await this.tx.classBooking.deleteMany({
      where: { classId: this.gymClass.id, userId },
    });
    return count;
  }

  cancel(bookingId: string): Promise<BookingRecord> {
    return this.tx.classBooking.update({
      where: { id: bookingId },
      data: { status: 'CANCELLED', live: null },
      select: fields,
    });
  }

  /** Books whoever has waited longest, if anyone waits. */
  async promoteFirstWaitlisted(): Promise<BookingRecord | null> {
    const first = await this.tx.classBooking.findFirst({
      where: { classId: this.gymClass.id, status: 'WAITLISTED' },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      select: { id: true },
    });
    if (!first) return null;
    return this.tx.classBooking.update({
      where: { id: first.id },
      data: { status: 'BOOKED' },
      select: fields,
    });
  }
}

export class BookingRepository {
  constructor(private readonly prisma: GymPrisma) {}

  async findById(id: string): Promise<BookingRecord | null> {
    return isUuid(id)
      ? this.prisma.classBooking.findUnique({ where: { id }, select: fields })
      : null;
  }

  /**
   * Runs `work` in one transaction holding the class's row lock, so the bookings and
   * cancellations of one class happen one at a time: capacity and waitlist order hold under
   * concurrent requests. Whatever `work` throws rolls the transaction back. Null when there is
   * no such class.
   */
  async withClassLocked<T>(
    classId: string,
    work: (bookings: LockedClassBookings) => Promise<T>,
  ): Promise<T | null> {
    if (!isUuid(classId)) return null;
    return this.prisma.$transaction(async (tx) => {
      const [locked] = await this.lockClasses(tx, [classId]);
      return locked ? work(locked) : null;
    });
  }

  /**
   * Takes the row locks of the classes in `tx` (in id order, so two transactions locking
   * overlapping classes never deadlock) and returns their bookings under the lock; classes that
   * are gone are left out.
   */
  async lockClasses(
    tx: GymTransaction,
    classIds: readonly string[],
  ): Promise<LockedClassBookings[]> {
    const ids = [...new Set(classIds.filter(isUuid))];
    if (!ids.length) return [];
    const classes = await tx.$queryRaw<LockedClass[]>`
      SELECT "id", "startsAt", "capacity" FROM "GymClass"
       WHERE "id" = ANY(${ids}::uuid[]) ORDER BY "id" FOR UPDATE`;
    return classes.map((gymClass) => new LockedClassBookings(tx, gymClass));
  }

  /** The classes the user has bookings of (any status), read inside `tx`. */
  async classIdsOfUser(tx: GymTransaction, userId: string): Promise<string[]> {
    const rows = await tx.classBooking.findMany({
      where: { userId },
      select: { classId: true },
      distinct: ['classId'],
    });
    return rows.map((row) => row.classId);
  }

  /**
   * Each request's live (booked or waitlisted) bookings of classes starting in its range, in
   * class order; one query for any number of requests.
   */
  bookedClasses(requests: readonly BookedClassesRequest[]): Promise<BookingRecord[][]> {
    return rowsPerRequest<BookingRecord>(
      this.prisma,
      {
        columns: { user_id: 'uuid', from_at: 'timestamptz', to_at: 'timestamptz' },
        select: `booking."id", booking."classId", booking."userId",
                 booking."status"::text AS "status", booking."createdAt"`,
        from: `JOIN "ClassBooking" booking ON booking."userId" = request.user_id AND booking."live"
               JOIN "GymClass" gym_class ON gym_class."id" = booking."classId"
                AND gym_class."startsAt" >= request.from_at AND gym_class."startsAt" < request.to_at`,
        order: `gym_class."startsAt", gym_class."id"`,
      },
      requests.map((request) => ({
        user_id: request.userId,
        from_at: request.from,
        to_at: request.to,
      })),
    );
  }
}
