import type { WorkoutPrisma } from '../db';
import type { MuscleGroup } from '../generated/prisma/enums';
import { rowsPerRequest } from '@fitnexa/shared/db';

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
    const ranges = requests.map((request) => ({
      user_id: request.userId,
      from_at: request.from,
      to_at: request.to,
    }));
    const columns = { user_id: 'uuid', from_at: 'timestamptz', to_at: 'timestamptz' };
    const completedInRange = `JOIN "WorkoutSession" session
            ON session."userId" = request.user_id AND session."completedAt" IS NOT NULL
           AND session."startedAt" >= request.from_at AND session."startedAt" < request.to_at`;
    const [totals, muscles] = await Promise.all([
      rowsPerRequest<{ sessions: number; volumeKg: number }>(
        this.prisma,
        {
          columns,
          select: `count(DISTINCT session."id")::int AS "sessions",
               COALESCE(sum(exercise_set."reps" * exercise_set."weightKg"), 0)::float8 AS "volumeKg"`,
          from: `${completedInRange}
          LEFT JOIN "ExerciseSet" exercise_set ON exercise_set."sessionId" = session."id"
         GROUP BY request.index`,
        },
        ranges,
      ),
      rowsPerRequest<MuscleVolumeRecord>(
        this.prisma,
        {
          columns,
          select: `muscle.muscle_group::text AS "muscleGroup",
               sum(exercise_set."reps" * exercise_set."weightKg")::float8 AS "volumeKg"`,
          from: `${completedInRange}
          JOIN "ExerciseSet" exercise_set ON exercise_set."sessionId" = session."id"
          JOIN "Exercise" exercise ON exercise."id" = exercise_set."exerciseId"
         CROSS JOIN LATERAL unnest(exercise."muscleGroups") AS muscle(muscle_group)
         GROUP BY request.index, muscle.muscle_group`,
          order: `"volumeKg" DESC, "muscleGroup"`,
        },
        ranges,
      ),
    ]);
    return totals.map(([total], index) => ({
      sessions: total?.sessions ?? 0,
      totalVolumeKg: total?.volumeKg ?? 0,
      perMuscleGroup: muscles[index]!,
    }));
  }
}
