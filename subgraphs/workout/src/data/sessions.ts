import type { WorkoutPrisma, WorkoutTransaction } from '../db';
import { indexBy, isPrismaError, isUuid, keysetPages } from '@fitnexa/shared/db';
import type { EventOutbox } from '@fitnexa/shared/events';

export interface SessionRecord {
  id: string;
  userId: string;
  gymId: string | null;
  startedAt: Date;
  completedAt: Date | null;
  notes: string | null;
}

/** A user of identity's, known here by id only. */
export interface UserReference {
  id: string;
}

/** A gym of the gym subgraph's, known here by id only. */
export interface GymReference {
  id: string;
}

/** Where a page of a user's sessions (newest first) starts: after this session. */
export interface SessionPosition {
  startedAt: Date;
  id: string;
}

export interface SessionPageRequest {
  userId: string;
  take: number;
  after: SessionPosition | null;
}

const fields = {
  id: true,
  userId: true,
  gymId: true,
  startedAt: true,
  completedAt: true,
  notes: true,
} as const;

export class SessionRepository {
  constructor(
    private readonly prisma: WorkoutPrisma,
    private readonly events: EventOutbox,
  ) {}

  /** Sessions by id, in the order of `ids`, null where there is none; one query whatever the count. */
  async findByIds(ids: readonly string[]): Promise<(SessionRecord | null)[]> {
    const validIds = ids.filter(isUuid);
    const rows = validIds.length
      ? await this.prisma.workoutSession.findMany({
          where: { id: { in: validIds } },
          select: fields,
        })
      : [];
    return indexBy(ids, rows, (row) => row.id);
  }

  /**
   * One page per request, each of its user's sessions newest first: one query for any number of
   * users, each with its own size and position (a lateral join walks each user's index).
   */
  pages(requests: readonly SessionPageRequest[]): Promise<SessionRecord[][]> {
    return keysetPages<SessionRecord>(
      this.prisma,
      {
        table: 'WorkoutSession',
        owner: 'userId',
        time: 'startedAt',
        id: 'id',
        direction: 'DESC',
        select: `item."id", item."userId", item."gymId", item."startedAt", item."completedAt",
                 item."notes"`,
      },
      requests.map((request) => ({
        owner: request.userId,
        take: request.take,
        after: request.after && { at: request.after.startedAt, id: request.after.id },
      })),
    );
  }

  /** Starts a session; null when the user already has an unfinished one. */
  async start(data: {
    userId: string;
    gymId: string | null;
    notes: string | null;
    startedAt: Date;
  }): Promise<SessionRecord | null> {
    try {
      return await this.prisma.workoutSession.create({
        data: { ...data, activeUserId: data.userId },
        select: fields,
      });
    } catch (error) {
      // The unique index on activeUserId: this user already has an unfinished session.
      if (isPrismaError(error, 'P2002')) return null;
      throw error;
    }
  }

  /**
   * Completes a session and records `workout.session.completed` with its volume, in one
   * transaction; null when it was not unfinished (any more). The update holds the session's row
   * lock, which appending a set takes too: no set can be added between it and the volume's sum.
   */
  async complete(id: string, completedAt: Date): Promise<SessionRecord | null> {
    try {
      return await this.prisma.$transaction(async (tx) => {
        const session = await tx.workoutSession.update({
          where: { id, completedAt: null },
          data: { completedAt, activeUserId: null },
          select: fields,
        });
        const [{ volumeKg }] = await tx.$queryRaw<[{ volumeKg: number }]>`
          SELECT COALESCE(sum("reps" * "weightKg"), 0)::float8 AS "volumeKg"
            FROM "ExerciseSet" WHERE "sessionId" = ${id}::uuid`;
        await this.events.record(tx, 'workout.session.completed', {
          sessionId: session.id,
          userId: session.userId,
          gymId: session.gymId,
          completedAt: completedAt.toISOString(),
          totalVolumeKg: volumeKg,
        });
        return session;
      });
    } catch (error) {
      if (isPrismaError(error, 'P2025')) return null;
      throw error;
    }
  }

  /** Deletes the user's sessions (their sets go with them), inside `tx`; returns how many. */
  async deleteOfUser(tx: WorkoutTransaction, userId: string): Promise<number> {
    return (await tx.workoutSession.deleteMany({ where: { userId } })).count;
  }

  async hasAny(userId: string): Promise<boolean> {
    return (await this.prisma.workoutSession.count({ where: { userId } })) > 0;
  }
}
