import type { GymPrisma, GymTransaction } from '../db';
import type { MembershipStatus } from '../generated/prisma/enums';
import { isPrismaError, isUuid, rowsPerRequest } from '@fitnexa/shared/db';

export interface MembershipRecord {
  id: string;
  userId: string;
  gymId: string;
  planId: string;
  /** As stored: an ACTIVE membership past its end date reads as EXPIRED all the same (see the domain). */
  status: MembershipStatus;
  startsAt: Date;
  endsAt: Date;
  frozenAt: Date | null;
}

/** A user's memberships as one viewer may see them. */
export interface MembershipListRequest {
  userId: string;
  /** Only those at gyms this user owns; null for all of them. */
  atGymsOwnedBy: string | null;
}

/** The state a membership must still be in for a change to apply. */
export interface MembershipState {
  status: MembershipStatus;
  /** Still running at this instant (ACTIVE ones past their end have expired). */
  runningAt?: Date;
  /** Still frozen since this instant (a concurrent resume and freeze would move it). */
  frozenAt?: Date;
}

export type MembershipChange = Partial<Pick<MembershipRecord, 'endsAt' | 'frozenAt'>> & {
  status: MembershipStatus;
};

const fields = {
  id: true,
  userId: true,
  gymId: true,
  planId: true,
  status: true,
  startsAt: true,
  endsAt: true,
  frozenAt: true,
} as const;

/** Whether a status holds the member's one live membership of a gym (see `live` in schema.prisma). */
const liveFor = (status: MembershipStatus) =>
  status === 'ACTIVE' || status === 'FROZEN' ? true : null;

export class MembershipRepository {
  constructor(private readonly prisma: GymPrisma) {}

  async findById(id: string): Promise<MembershipRecord | null> {
    return isUuid(id) ? this.prisma.membership.findUnique({ where: { id }, select: fields }) : null;
  }

  /** Each request's memberships, newest first; one query for any number of requests. */
  lists(requests: readonly MembershipListRequest[]): Promise<MembershipRecord[][]> {
    return rowsPerRequest<MembershipRecord>(
      this.prisma,
      {
        columns: { user_id: 'uuid', gym_owner_id: 'uuid' },
        select: `membership."id", membership."userId", membership."gymId", membership."planId",
                 membership."status"::text AS "status", membership."startsAt", membership."endsAt",
                 membership."frozenAt"`,
        from: `JOIN "Membership" membership ON membership."userId" = request.user_id
               WHERE request.gym_owner_id IS NULL
                  OR EXISTS (SELECT 1 FROM "Gym" gym
                              WHERE gym."id" = membership."gymId"
                                AND gym."ownerId" = request.gym_owner_id)`,
        order: `membership."startsAt" DESC, membership."id" DESC`,
      },
      requests.map((request) => ({
        user_id: request.userId,
        gym_owner_id: request.atGymsOwnedBy,
      })),
    );
  }

  /** The member's membership of the gym that is ACTIVE and still running at `now`, if any. */
  async findActive(userId: string, gymId: string, now: Date): Promise<MembershipRecord | null> {
    return this.prisma.membership.findFirst({
      where: { userId, gymId, status: 'ACTIVE', endsAt: { gt: now } },
      select: fields,
    });
  }

  /**
   * Starts a membership. The member's ACTIVE ones of that gym that ran out by `now` are marked
   * EXPIRED first, in the same transaction; null when a live (ACTIVE or FROZEN) one remains.
   */
  async start(
    data: { userId: string; gymId: string; planId: string; startsAt: Date; endsAt: Date },
    now: Date,
  ): Promise<MembershipRecord | null> {
    try {
      return await this.prisma.$transaction(async (tx) => {
        await tx.membership.updateMany({
          where: { userId: data.userId, gymId: data.gymId, status: 'ACTIVE', endsAt: { lte: now } },
          data: { status: 'EXPIRED', live: null },
        });
        return tx.membership.create({ data, select: fields });
      });
    } catch (error) {
      // The unique index on (userId, gymId, live): a live membership of that gym remains.
      if (isPrismaError(error, 'P2002')) return null;
      throw error;
    }
  }

  /**
   * Applies `change` only while the membership is still in state `from`: of two concurrent
   * changes exactly one wins. Null when it no longer was.
   */
  async transition(
    id: string,
    from: MembershipState,
    change: MembershipChange,
  ): Promise<MembershipRecord | null> {
    try {
      return await this.prisma.membership.update({
        where: {
          id,
          status: from.status,
          ...(from.runningAt ? { endsAt: { gt: from.runningAt } } : {}),
          ...(from.frozenAt ? { frozenAt: from.frozenAt } : {}),
        },
        data: { ...change, live: liveFor(change.status) },
        select: fields,
      });
    } catch (error) {
      if (isPrismaError(error, 'P2025')) return null;
      throw error;
    }
  }

  /**
   * Ends the user's memberships and unlinks them from the user, inside `tx`: live ones (ACTIVE,
   * FROZEN) become CANCELLED (an ACTIVE one already past its end EXPIRED), and every row gets a
   * fresh random userId of its own, so the gym keeps its history (plan, dates, status) without
   * anything that leads back to the person. Returns how many rows there were.
   */
  async anonymiseOfUser(tx: GymTransaction, userId: string, now: Date): Promise<number> {
    return tx.$executeRaw`
      UPDATE "Membership"
         SET "userId" = gen_random_uuid(),
             "status" = CASE
               WHEN "status" = 'ACTIVE' AND "endsAt" <= ${now} THEN 'EXPIRED'::"MembershipStatus"
               WHEN "status" IN ('ACTIVE', 'FROZEN') THEN 'CANCELLED'::"MembershipStatus"
               ELSE "status" END,
             "live" = NULL,
             "frozenAt" = NULL,
             "updatedAt" = ${now}
       WHERE "userId" = ${userId}::uuid`;
  }
}
