import type { SquadPrisma, SquadTx } from '../db';
import type { ActivityKind, SquadRole } from '../generated/prisma/enums';
import { squadPages, type SquadPageRequest } from './pages';

export interface ActivityRecord {
  id: string;
  squadId: string;
  kind: ActivityKind;
  actorId: string;
  subjectId: string | null;
  challengeId: string | null;
  amount: number | null;
  role: SquadRole | null;
  createdAt: Date;
}

/** A feed entry to write: the kind, who and when; the rest where the kind has it. */
export type ActivityData = Pick<ActivityRecord, 'squadId' | 'kind' | 'actorId' | 'createdAt'> &
  Partial<Pick<ActivityRecord, 'subjectId' | 'challengeId' | 'amount' | 'role'>>;

export const activityFields = {
  id: true,
  squadId: true,
  kind: true,
  actorId: true,
  subjectId: true,
  challengeId: true,
  amount: true,
  role: true,
  createdAt: true,
} as const;

export class ActivityRepository {
  constructor(private readonly prisma: SquadPrisma) {}

  /** One page per request of its squad's feed, newest first; one query for any number of squads. */
  pages(requests: readonly SquadPageRequest[]): Promise<ActivityRecord[][]> {
    return squadPages<ActivityRecord>(
      this.prisma,
      {
        table: 'SquadActivity',
        time: 'createdAt',
        id: 'id',
        direction: 'DESC',
        select: `item."id", item."squadId", item."kind"::text AS "kind", item."actorId",
          item."subjectId", item."challengeId", item."amount", item."role"::text AS "role",
          item."createdAt"`,
      },
      requests,
    );
  }

  /** Writes feed entries in `tx`. */
  create(tx: SquadTx, data: readonly ActivityData[]): Promise<ActivityRecord[]> {
    if (!data.length) return Promise.resolve([]);
    return tx.squadActivity.createManyAndReturn({ data: [...data], select: activityFields });
  }

  /**
   * Erases the user from every feed, in `tx`: the entries about them alone (`personal`: their
   * joining, leaving and progress; whatever happened to them) go, the others (what they did to
   * squads, challenges and other members) stay with `anonymousId` as the actor.
   */
  async eraseUser(
    tx: SquadTx,
    userId: string,
    personal: readonly ActivityKind[],
    anonymousId: string,
  ): Promise<void> {
    await tx.squadActivity.deleteMany({
      where: { OR: [{ actorId: userId, kind: { in: [...personal] } }, { subjectId: userId }] },
    });
    await tx.squadActivity.updateMany({
      where: { actorId: userId },
      data: { actorId: anonymousId },
    });
  }
}
