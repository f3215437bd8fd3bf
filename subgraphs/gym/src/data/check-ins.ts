import type { GymPrisma, GymTransaction } from '../db';
import { groupBy, isUuid } from '@fitnexa/shared/db';
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
  async pages(requests: readonly CheckInPageRequest[]): Promise<CheckInRecord[][]> {
    const valid = requests
      .map((request, index) => ({ index, request }))
      .filter(
        ({ request }) =>
          isUuid(request.userId) && (!request.atGymsOwnedBy || isUuid(request.atGymsOwnedBy)),
      );
    if (!valid.length) return requests.map(() => []);
    const rows = await this.prisma.$queryRaw<(CheckInRecord & { pageIndex: number })[]>`
      SELECT page.index AS "pageIndex", check_in."id", check_in."userId", check_in."gymId",
             check_in."checkedInAt"
        FROM json_to_recordset(${JSON.stringify(
          valid.map(({ index, request }) => ({
            index,
            user_id: request.userId,
            take: request.take,
            after_checked_in_at: request.after?.checkedInAt.toISOString() ?? null,
            after_id: request.after?.id ?? null,
            owner_id: request.atGymsOwnedBy,
          })),
        )}::json) AS page(index int, user_id uuid, take int, after_checked_in_at timestamptz,
                          after_id uuid, owner_id uuid)
        CROSS JOIN LATERAL (
          SELECT * FROM "CheckIn" candidate
           WHERE candidate."userId" = page.user_id
             AND (page.after_checked_in_at IS NULL
                  OR (candidate."checkedInAt", candidate."id") < (page.after_checked_in_at, page.after_id))
             AND (page.owner_id IS NULL
                  OR EXISTS (SELECT 1 FROM "Gym" gym
                              WHERE gym."id" = candidate."gymId" AND gym."ownerId" = page.owner_id))
           ORDER BY candidate."checkedInAt" DESC, candidate."id" DESC
           LIMIT page.take
        ) check_in
       ORDER BY page.index, check_in."checkedInAt" DESC, check_in."id" DESC`;
    const byPage = groupBy(
      requests.map((_, index) => String(index)),
      rows,
      (row) => String(row.pageIndex),
    );
    return byPage.map((page) => page.map(({ pageIndex: _index, ...checkIn }) => checkIn));
  }
}
