import type { ExerciseRecord } from '../data/exercises';
import type { RecordCandidate } from '../data/sets';

/** Epley's estimate loses accuracy beyond this many reps, so such sets set no estimated 1RM. */
export const MAX_REPS_FOR_ESTIMATE = 12;

/** Epley's one-rep-max estimate, weight × (1 + reps / 30), to the gram. */
export function estimatedOneRepMax(weightKg: number, reps: number): number {
  return Math.round(weightKg * (1 + reps / 30) * 1000) / 1000;
}

/**
 * The records a set could set. Only loaded strength sets count: a bodyweight set (0 kg) or a
 * rowing interval has no meaningful heaviest weight or one-rep max.
 */
export function recordCandidates(
  exercise: ExerciseRecord,
  set: { reps: number; weightKg: number },
): RecordCandidate[] {
  if (exercise.category !== 'STRENGTH' || set.weightKg <= 0) return [];
  const candidates: RecordCandidate[] = [{ kind: 'HEAVIEST_WEIGHT', value: set.weightKg }];
  if (set.reps <= MAX_REPS_FOR_ESTIMATE) {
    candidates.push({ kind: 'ESTIMATED_1RM', value: estimatedOneRepMax(set.weightKg, set.reps) });
  }
  return candidates;
}
