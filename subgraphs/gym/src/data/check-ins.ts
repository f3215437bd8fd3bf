import type { GymPrisma, GymTransaction } from '../db';
import { keysetPages } from '@fitnexa/shared/db';
import type { EventOutbox } from '@fitnexa/shared/events';

export interface CheckInRecord {
  id: string;
  userId: string;
  gymId: string;
  checkedInAt: Date;
}

/** Where a page of a user's check-ins (newest first) starts: after this check-in. */
export interface CheckInPosition {
  checkedInAt: Date;
  id: string;
}

export interface CheckInPageRequest {
  userId: string;
  /** Rows to read: one more than the page size tells whether more follow. */
  take: number;
  after: CheckInPosition | null;
  /** Only check-ins at gyms this user owns; null for all of them. */
  atGymsOwnedBy: string | null;
}

const fields = { id: true, userId: true, gymId: true, checkedInAt: true } as const;

export class CheckInRepository {
  constructor(
    private readonly prisma: GymPrisma,
    private readonly events: EventOutbox,
  ) {}

  /** Records the check-in and `gym.checkin.recorded` with it, in one transaction. */
  create(data: { userId: string; gymId: string; checkedInAt: Date }): Promise<CheckInRecord> {
    return this.prisma.$transaction(async (tx) => {
      const checkIn = await tx.checkIn.create({ data, select: fields });
      await this.events.record(tx, 'gym.checkin.recorded', {
        checkInId: checkIn.id,
        userId: checkIn.userId,
        gymId: checkIn.gymId,
        checkedInAt: checkIn.checkedInAt.toISOString(),
      });
      return checkIn;
    });
  }

  /** Deletes every check-in of the user, inside `tx`; returns how many there were. */
  async deleteOfUser(tx: GymTransaction, userId: string): Promise<number> {
    return (await tx.checkIn.deleteMany({ where: { userId } })).count;
  }

  /**
   * One page per request, each of its user's check-ins newest first: one query for any number of
   * users, each with its own size, position and visibility (a lateral join walks each user's index).
   */
  pages(requests: readonly CheckInPageRequest[]): Promise<CheckInRecord[][]> {
    return keysetPages<CheckInRecord>(
      this.prisma,
      {
        table: 'CheckIn',
        owner: 'userId',
        time: 'checkedInAt',
        id: 'id',
        direction: 'DESC',
        select: `item."id", item."userId", item."gymId", item."checkedInAt"`,
        columns: { gym_owner_id: 'uuid' },
        where: `request.gym_owner_id IS NULL
                OR EXISTS (SELECT 1 FROM "Gym" gym
                            WHERE gym."id" = candidate."gymId" AND gym."ownerId" = request.gym_owner_id)`,
      },
      requests.map((request) => ({
        owner: request.userId,
        take: request.take,
        after: request.after && { at: request.after.checkedInAt, id: request.after.id },
        values: { gym_owner_id: request.atGymsOwnedBy },
      })),
    );
  }
}
