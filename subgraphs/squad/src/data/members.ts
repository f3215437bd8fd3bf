import { isPrismaError, isUuid, rowsPerRequest } from '@fitnexa/shared/db';
import type { EventOutbox } from '@fitnexa/shared/events';
import type { SquadPrisma, SquadTx } from '../db';
import type { SquadRole } from '../generated/prisma/enums';
import { activityFields, type ActivityData, type ActivityRecord } from './activities';
import { squadPages, type SquadPageRequest } from './pages';

export interface MemberRecord {
  squadId: string;
  userId: string;
  role: SquadRole;
  joinedAt: Date;
}

/** One user's place in one squad. */
export interface MembershipKey {
  squadId: string;
  userId: string;
}

/** What a user joins through besides the squad being PUBLIC: it must still be open, and is used up. */
export type JoinedThrough = 'joinRequest' | 'invitation' | null;

const fields = { squadId: true, userId: true, role: true, joinedAt: true } as const;

/** Thrown inside a transaction to roll it back when a row it relies on changed meanwhile. */
class Superseded extends Error {}

/** The longest-standing ADMIN and MEMBER of a squad: who may take it over from its owner. */
export interface SuccessorCandidates {
  squadId: string;
  admin: string | null;
  member: string | null;
}

export class MemberRepository {
  constructor(
    private readonly prisma: SquadPrisma,
    private readonly events: EventOutbox,
  ) {}

  async find(squadId: string, userId: string): Promise<MemberRecord | null> {
    if (!isUuid(squadId) || !isUuid(userId)) return null;
    return this.prisma.squadMember.findUnique({
      where: { squadId_userId: { squadId, userId } },
      select: fields,
    });
  }

  /** Each user's role in each squad (null when not a member), in the order of `keys`; one query. */
  async roles(keys: readonly MembershipKey[]): Promise<(SquadRole | null)[]> {
    const roles = await rowsPerRequest<{ role: SquadRole }>(
      this.prisma,
      {
        columns: { squad_id: 'uuid', user_id: 'uuid' },
        select: `member."role"::text AS "role"`,
        from: `JOIN "SquadMember" member
                 ON member."squadId" = request.squad_id AND member."userId" = request.user_id`,
        order: `member."role"`,
      },
      keys.map((key) => ({ squad_id: key.squadId, user_id: key.userId })),
    );
    return roles.map(([member]) => member?.role ?? null);
  }

  /** One page per request of its squad's members in the order they joined; one query. */
  pages(requests: readonly SquadPageRequest[]): Promise<MemberRecord[][]> {
    return squadPages<MemberRecord>(
      this.prisma,
      {
        table: 'SquadMember',
        time: 'joinedAt',
        id: 'userId',
        direction: 'ASC',
        select: `item."squadId", item."userId", item."role"::text AS "role", item."joinedAt"`,
      },
      requests,
    );
  }

  /**
   * Adds a member and the feed entry, atomically, using up the user's join request or invitation
   * (which must still be open when `through` names it). Null when the user is a member already or
   * what they joined through was answered meanwhile.
   */
  async join(
    member: MemberRecord,
    through: JoinedThrough,
    activity: ActivityData,
  ): Promise<{ member: MemberRecord; activity: ActivityRecord } | null> {
    const key = { squadId: member.squadId, userId: member.userId };
    try {
      return await this.prisma.$transaction(async (tx) => {
        const requests = await tx.joinRequest.deleteMany({ where: key });
        const invitations = await tx.squadInvitation.deleteMany({ where: key });
        const used = { joinRequest: requests.count, invitation: invitations.count };
        if (through && used[through] === 0) throw new Superseded();
        const joined = await tx.squadMember.create({ data: member, select: fields });
        await this.events.record(tx, 'squad.member.joined', key);
        return {
          member: joined,
          activity: await tx.squadActivity.create({ data: activity, select: activityFields }),
        };
      });
    } catch (error) {
      if (error instanceof Superseded || isPrismaError(error, 'P2002')) return null;
      throw error;
    }
  }

  /**
   * Removes a member while their role is one of `roles`, with the feed entry, atomically. Null
   * when they are not a member (any more) or hold another role.
   */
  async remove(
    key: MembershipKey,
    roles: readonly SquadRole[],
    activity: ActivityData,
  ): Promise<ActivityRecord | null> {
    try {
      return await this.prisma.$transaction(async (tx) => {
        const removed = await tx.squadMember.deleteMany({
          where: { ...key, role: { in: [...roles] } },
        });
        if (removed.count === 0) throw new Superseded();
        await this.events.record(tx, 'squad.member.left', key);
        return tx.squadActivity.create({ data: activity, select: activityFields });
      });
    } catch (error) {
      if (error instanceof Superseded) return null;
      throw error;
    }
  }

  /**
   * Gives a member `role` while they hold one of `from`, with the feed entry, atomically. Null
   * when they are not a member (any more) or hold another role.
   */
  async setRole(
    key: MembershipKey,
    from: readonly SquadRole[],
    role: SquadRole,
    activity: ActivityData,
  ): Promise<{ member: MemberRecord; activity: ActivityRecord } | null> {
    try {
      return await this.prisma.$transaction(async (tx) => {
        const changed = await tx.squadMember.updateMany({
          where: { ...key, role: { in: [...from] } },
          data: { role },
        });
        if (changed.count === 0) throw new Superseded();
        return {
          member: await tx.squadMember.findUniqueOrThrow({
            where: { squadId_userId: key },
            select: fields,
          }),
          activity: await tx.squadActivity.create({ data: activity, select: activityFields }),
        };
      });
    } catch (error) {
      if (error instanceof Superseded) return null;
      throw error;
    }
  }

  /**
   * Makes `toUserId` (a member, not the owner) the squad's OWNER and `fromUserId` (its OWNER) an
   * ADMIN, with the feed entry, atomically. Null when either no longer holds that place.
   */
  async transferOwnership(
    squadId: string,
    fromUserId: string,
    toUserId: string,
    activity: ActivityData,
  ): Promise<ActivityRecord | null> {
    try {
      return await this.prisma.$transaction(async (tx) => {
        const demoted = await tx.squadMember.updateMany({
          where: { squadId, userId: fromUserId, role: 'OWNER' },
          data: { role: 'ADMIN' },
        });
        const promoted = await tx.squadMember.updateMany({
          where: { squadId, userId: toUserId, role: { in: ['ADMIN', 'MEMBER'] } },
          data: { role: 'OWNER' },
        });
        if (demoted.count === 0 || promoted.count === 0) throw new Superseded();
        await tx.squad.update({ where: { id: squadId }, data: { ownerId: toUserId } });
        return tx.squadActivity.create({ data: activity, select: activityFields });
      });
    } catch (error) {
      if (error instanceof Superseded) return null;
      throw error;
    }
  }

  /** The squads `userId` owns, locked against other changes to them until `tx` ends. */
  async ownedBy(tx: SquadTx, userId: string): Promise<string[]> {
    const rows = await tx.$queryRaw<{ id: string }[]>`
      SELECT "id" FROM "Squad" WHERE "ownerId" = ${userId}::uuid ORDER BY "id" FOR UPDATE`;
    return rows.map((row) => row.id);
  }

  /** Each squad's longest-standing ADMIN and MEMBER other than `exceptUserId`; one query. */
  async successorCandidates(
    tx: SquadTx,
    squadIds: readonly string[],
    exceptUserId: string,
  ): Promise<SuccessorCandidates[]> {
    if (!squadIds.length) return [];
    const rows = await tx.$queryRaw<{ squadId: string; role: SquadRole; userId: string }[]>`
      SELECT DISTINCT ON (member."squadId", member."role")
             member."squadId", member."role"::text AS "role", member."userId"
        FROM "SquadMember" member
       WHERE member."squadId" = ANY(${squadIds}::uuid[])
         AND member."userId" <> ${exceptUserId}::uuid
         AND member."role" IN ('ADMIN', 'MEMBER')
       ORDER BY member."squadId", member."role", member."joinedAt", member."userId"`;
    return squadIds.map((squadId) => ({
      squadId,
      admin: rows.find((row) => row.squadId === squadId && row.role === 'ADMIN')?.userId ?? null,
      member: rows.find((row) => row.squadId === squadId && row.role === 'MEMBER')?.userId ?? null,
    }));
  }

  /** Makes `userId` (a member) the squad's OWNER, in `tx`. */
  async makeOwner(tx: SquadTx, squadId: string, userId: string): Promise<void> {
    await tx.squadMember.update({
      where: { squadId_userId: { squadId, userId } },
      data: { role: 'OWNER' },
    });
    await tx.squad.update({ where: { id: squadId }, data: { ownerId: userId } });
  }

  /**
   * Ends every membership of the deleted user, recording `squad.member.left` (`userDeleted`) for
   * each, in `tx`; the ids of the squads they left.
   */
  async removeEverywhere(tx: SquadTx, userId: string): Promise<string[]> {
    const rows = await tx.$queryRaw<{ squadId: string }[]>`
      DELETE FROM "SquadMember" WHERE "userId" = ${userId}::uuid RETURNING "squadId"`;
    const squadIds = rows.map((row) => row.squadId).sort();
    for (const squadId of squadIds) {
      await this.events.record(tx, 'squad.member.left', { squadId, userId, userDeleted: true });
    }
    return squadIds;
  }
}
