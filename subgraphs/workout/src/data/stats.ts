import type { WorkoutPrisma } from '../db';
import type { MuscleGroup } from '../generated/prisma/enums';
import { groupBy, isUuid } from '@fitnexa/shared/db';

export interface StatsRequest {
  userId: string;
  from: Date;
  to: Date;
}

export interface MuscleVolumeRecord {
  muscleGroup: MuscleGroup;
  volumeKg: number;
}

export interface WorkoutStatsRecord {
  sessions: number;
  totalVolumeKg: number;
  perMuscleGroup: MuscleVolumeRecord[];
}

export class StatsRepository {
  constructor(private readonly prisma: WorkoutPrisma) {}

  /**
   * Totals over each user's completed sessions started in [from, to): two queries for any number
   * of requests (totals; volume per muscle group, a set counting for each group its exercise trains).
   */
  async forRanges(requests: readonly StatsRequest[]): Promise<WorkoutStatsRecord[]> {
    const ranges = JSON.stringify(
      requests
        .map((request, index) => ({
          index,
          user_id: request.userId,
          from_at: request.from.toISOString(),
          to_at: request.to.toISOString(),
        }))
        .filter((range) => isUuid(range.user_id)),
    );
    const [totals, muscles] = await Promise.all([
      this.prisma.$queryRaw<{ rangeIndex: number; sessions: number; volumeKg: number }[]>`
        SELECT range.index AS "rangeIndex", count(DISTINCT session."id")::int AS "sessions",
               COALESCE(sum(exercise_set."reps" * exercise_set."weightKg"), 0)::float8 AS "volumeKg"
          FROM json_to_recordset(${ranges}::json)
            AS range(index int, user_id uuid, from_at timestamptz, to_at timestamptz)
          JOIN "WorkoutSession" session
            ON session."userId" = range.user_id AND session."completedAt" IS NOT NULL
           AND session."startedAt" >= range.from_at AND session."startedAt" < range.to_at
          LEFT JOIN "ExerciseSet" exercise_set ON exercise_set."sessionId" = session."id"
         GROUP BY range.index`,
      this.prisma.$queryRaw<{ rangeIndex: number; muscleGroup: MuscleGroup; volumeKg: number }[]>`
        SELECT range.index AS "rangeIndex", muscle.muscle_group::text AS "muscleGroup",
               sum(exercise_set."reps" * exercise_set."weightKg")::float8 AS "volumeKg"
          FROM json_to_recordset(${ranges}::json)
            AS range(index int, user_id uuid, from_at timestamptz, to_at timestamptz)
          JOIN "WorkoutSession" session
            ON session."userId" = range.user_id AND session."completedAt" IS NOT NULL
           AND session."startedAt" >= range.from_at AND session."startedAt" < range.to_at
          JOIN "ExerciseSet" exercise_set ON exercise_set."sessionId" = session."id"
          JOIN "Exercise" exercise ON exercise."id" = exercise_set."exerciseId"
         CROSS JOIN LATERAL unnest(exercise."muscleGroups") AS muscle(muscle_group)
         GROUP BY range.index, muscle.muscle_group
         ORDER BY range.index, "volumeKg" DESC, "muscleGroup"`,
    ]);
    const keys = requests.map((_, index) => String(index));
    const totalsByRange = groupBy(keys, totals, (row) => String(row.rangeIndex));
    const musclesByRange = groupBy(keys, muscles, (row) => String(row.rangeIndex));
    return keys.map((_, index) => ({
      sessions: totalsByRange[index]![0]?.sessions ?? 0,
      totalVolumeKg: totalsByRange[index]![0]?.volumeKg ?? 0,
      perMuscleGroup: musclesByRange[index]!.map(({ muscleGroup, volumeKg }) => ({
        muscleGroup,
        volumeKg,
      })),
    }));
  }
}
