import { isUuid, rowsPerRequest } from '@fitnexa/shared/db';
import type { SquadPrisma, SquadTx } from '../db';
import type { ChallengeMetric } from '../generated/prisma/enums';
import { activityFields, type ActivityRecord } from './activities';

export interface LeaderboardEntryRecord {
  rank: number;
  userId: string;
  progress: number;
  reachedAt: Date | null;
  completedAt: Date | null;
}

export interface LeaderboardRequest {
  challengeId: string;
  take: number;
}

/** Something a user did that counts towards challenges of `metric`. */
export interface Contribution {
  userId: string;
  metric: ChallengeMetric;
  amount: number;
  occurredAt: Date;
}

/** One challenge a contribution counted towards. */
export interface ProgressMade {
  challengeId: string;
  squadId: string;
  /** The member's progress in it now. */
  progress: number;
  /** Whether this contribution took the member to the goal. */
  completed: boolean;
}

export class ProgressRepository {
  constructor(private readonly prisma: SquadPrisma) {}

  /**
   * Adds the contribution to every challenge of its metric running at `occurredAt` in the squads
   * the user belongs to, marks those whose goal it reached completed (once per member), and
   * writes the feed entries (CHALLENGE_PROGRESS, then CHALLENGE_COMPLETED) at `recordedAt`, all
   * atomically: in `tx` when given (an event handler's), in a transaction of its own otherwise.
   */
  async record(
    contribution: Contribution,
    recordedAt: Date,
    tx?: SquadTx,
  ): Promise<{ made: ProgressMade[]; activities: ActivityRecord[] }> {
    if (!tx) {
      return this.prisma.$transaction((own) => this.record(contribution, recordedAt, own));
    }
    const { userId, metric, amount, occurredAt } = contribution;
    if (!isUuid(userId)) return { made: [], activities: [] };
    const added = await tx.$queryRaw<{ challengeId: string; squadId: string; progress: number }[]>`
      WITH running AS (
        SELECT challenge."id", challenge."squadId"
          FROM "Challenge" challenge
          JOIN "SquadMember" member
            ON member."squadId" = challenge."squadId" AND member."userId" = ${userId}::uuid
         WHERE challenge."metric" = ${metric}::"ChallengeMetric"
           AND challenge."startsAt" <= ${occurredAt} AND challenge."endsAt" > ${occurredAt}
      ), added AS (
        INSERT INTO "ChallengeProgress" ("challengeId", "userId", "amount", "reachedAt")
        SELECT running."id", ${userId}::uuid, ${amount}::float8, ${occurredAt} FROM running
        ON CONFLICT ("challengeId", "userId") DO UPDATE
           SET "amount" = "ChallengeProgress"."amount" + EXCLUDED."amount",
               "reachedAt" = GREATEST("ChallengeProgress"."reachedAt", EXCLUDED."reachedAt")
        RETURNING "challengeId", "amount"
      )
      SELECT added."challengeId", running."squadId", added."amount" AS "progress"
        FROM added JOIN running ON running."id" = added."challengeId"
       ORDER BY added."challengeId"`;
    if (!added.length) return { made: [], activities: [] };
    // Exactly one contribution flips completedAt from null: the one that reached the goal.
    const completed = await tx.$queryRaw<{ challengeId: string }[]>`
      UPDATE "ChallengeProgress" progress SET "completedAt" = ${occurredAt}
        FROM "Challenge" challenge
       WHERE challenge."id" = progress."challengeId"
         AND progress."userId" = ${userId}::uuid
         AND progress."challengeId" = ANY(${added.map((row) => row.challengeId)}::uuid[])
         AND progress."completedAt" IS NULL
         AND progress."amount" >= challenge."goal"
      RETURNING progress."challengeId"`;
    const completedIds = new Set(completed.map((row) => row.challengeId));
    const activities = await tx.squadActivity.createManyAndReturn({
      data: [
        ...added.map((row) => ({
          squadId: row.squadId,
          kind: 'CHALLENGE_PROGRESS' as const,
          actorId: userId,
          challengeId: row.challengeId,
          amount,
          createdAt: recordedAt,
        })),
        ...added
          .filter((row) => completedIds.has(row.challengeId))
          .map((row) => ({
            squadId: row.squadId,
            kind: 'CHALLENGE_COMPLETED' as const,
            actorId: userId,
            challengeId: row.challengeId,
            createdAt: recordedAt,
          })),
      ],
      select: activityFields,
    });
    return {
      made: added.map((row) => ({ ...row, completed: completedIds.has(row.challengeId) })),
      activities,
    };
  }

  /**
   * Each challenge's squad members by progress (most first; of equal progress, who reached it
   * first), the top `take`; one query for any number of challenges.
   */
  async leaderboards(requests: readonly LeaderboardRequest[]): Promise<LeaderboardEntryRecord[][]> {
    const boards = await rowsPerRequest<Omit<LeaderboardEntryRecord, 'rank'>>(
      this.prisma,
      {
        columns: { challenge_id: 'uuid', take: 'int' },
        select: `entry."userId", entry."progress", entry."reachedAt", entry."completedAt"`,
        from: `CROSS JOIN LATERAL (
          SELECT member."userId", COALESCE(score."amount", 0) AS "progress",
                 score."reachedAt", score."completedAt", member."joinedAt"
            FROM "Challenge" challenge
            JOIN "SquadMember" member ON member."squadId" = challenge."squadId"
            LEFT JOIN "ChallengeProgress" score
              ON score."challengeId" = challenge."id" AND score."userId" = member."userId"
           WHERE challenge."id" = request.challenge_id
           ORDER BY COALESCE(score."amount", 0) DESC, score."reachedAt" ASC NULLS LAST,
                    member."joinedAt", member."userId"
           LIMIT request.take
        ) entry`,
        order: `entry."progress" DESC, entry."reachedAt" ASC NULLS LAST, entry."joinedAt",
                entry."userId"`,
      },
      requests.map((request) => ({ challenge_id: request.challengeId, take: request.take })),
    );
    return boards.map((entries) =>
      entries.map((entry, position) => ({ ...entry, rank: position + 1 })),
    );
  }

  /** Deletes the user's progress in every challenge, in `tx`; the challenges it was in. */
  async eraseUser(
    tx: SquadTx,
    userId: string,
  ): Promise<{ challengeId: string; squadId: string }[]> {
    return tx.$queryRaw<{ challengeId: string; squadId: string }[]>`
      DELETE FROM "ChallengeProgress" progress
       USING "Challenge" challenge
       WHERE challenge."id" = progress."challengeId" AND progress."userId" = ${userId}::uuid
      RETURNING progress."challengeId", challenge."squadId"`;
  }
}
