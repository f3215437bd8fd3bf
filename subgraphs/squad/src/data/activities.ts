import type { SquadPrisma } from '../db';
import { Prisma } from '../generated/prisma/client';
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
        timeColumn: 'createdAt',
        idColumn: 'id',
        direction: 'DESC',
        select: Prisma.sql`item."id", item."squadId", item."kind"::text AS "kind", item."actorId",
          item."subjectId", item."challengeId", item."amount", item."role"::text AS "role",
          item."createdAt"`,
      },
      requests,
    );
  }
}
