import type { WorkoutPrisma } from '../db';
import type { PersonalRecordKind } from '../generated/prisma/enums';
import type { PersonalRecordRecord } from './personal-records';
import { groupBy, indexBy } from '@fitnexa/shared/db';

export interface SetRecord {
  id: string;
  sessionId: string;
  exerciseId: string;
  order: number;
  reps: number;
  weightKg: number;
  rpe: number | null;
  loggedAt: Date;
}

/** A value a new set reaches; it becomes the user's record unless their record is at least as high. */
export interface RecordCandidate {
  kind: PersonalRecordKind;
  value: number;
}

const fields = {
  id: true,
  sessionId: true,
  exerciseId: true,
  order: true,
  reps: true,
  weightKg: true,
  rpe: true,
  loggedAt: true,
} as const;

export class SetRepository {
  constructor(private readonly prisma: WorkoutPrisma) {}

  /** Each session's sets in order; one query whatever the count. */
  async findBySessionIds(sessionIds: readonly string[]): Promise<SetRecord[][]> {
    const rows = await this.prisma.exerciseSet.findMany({
      where: { sessionId: { in: [...sessionIds] } },
      select: fields,
      orderBy: [{ sessionId: 'asc' }, { order: 'asc' }],
    });
    return groupBy(sessionIds, rows, (row) => row.sessionId);
  }

  async findByIds(ids: readonly string[]): Promise<(SetRecord | null)[]> {
    const rows = await this.prisma.exerciseSet.findMany({
      where: { id: { in: [...ids] } },
      select: fields,
    });
    return indexBy(ids, rows, (row) => row.id);
  }

  /**
   * Appends a set to a session that is still unfinished and makes it the user's record for every
   * candidate it beats, in one transaction: the session row is locked, so concurrent sets get
   * consecutive orders and a completion cannot slip in between. Returns null when the session is
   * completed (or gone).
   */
  async append(
    set: {
      sessionId: string;
      userId: string;
      exerciseId: string;
      reps: number;
      weightKg: number;
      rpe: number | null;
      loggedAt: Date;
    },
    candidates: readonly RecordCandidate[],
  ): Promise<{ set: SetRecord; records: PersonalRecordRecord[] } | null> {
    return this.prisma.$transaction(async (tx) => {
      const open = await tx.$queryRaw<{ id: string }[]>`
        SELECT "id" FROM "WorkoutSession"
         WHERE "id" = ${set.sessionId}::uuid AND "completedAt" IS NULL
           FOR UPDATE`;
      if (!open.length) return null;
      const { _max } = await tx.exerciseSet.aggregate({
        where: { sessionId: set.sessionId },
        _max: { order: true },
      });
      const { userId, ...row } = set;
      const created = await tx.exerciseSet.create({
        data: { ...row, order: (_max.order ?? 0) + 1 },
        select: fields,
      });
      const records: PersonalRecordRecord[] = [];
      for (const candidate of candidates) {
        // Conditional upsert: a concurrent, better set of the same user cannot be overwritten.
        const [record] = await tx.$queryRaw<PersonalRecordRecord[]>`
          INSERT INTO "PersonalRecord" ("id", "userId", "exerciseId", "kind", "value", "achievedAt", "setId")
          VALUES (gen_random_uuid(), ${userId}::uuid, ${created.exerciseId}::uuid,
                  ${candidate.kind}::"PersonalRecordKind", ${candidate.value}, ${created.loggedAt},
                  ${created.id}::uuid)
          ON CONFLICT ("userId", "exerciseId", "kind") DO UPDATE
             SET "value" = EXCLUDED."value", "achievedAt" = EXCLUDED."achievedAt",
                 "setId" = EXCLUDED."setId"
           WHERE "PersonalRecord"."value" < EXCLUDED."value"
          RETURNING "id", "userId", "exerciseId", "kind"::text AS "kind", "value", "achievedAt", "setId"`;
        if (record) records.push(record);
      }
      return { set: created, records };
    });
  }
}
