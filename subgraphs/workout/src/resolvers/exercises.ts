import type { ExerciseRecord } from '../data/exercises';
import type { WorkoutContext } from '../context';

/** The exercise a stored row refers to; a foreign key guarantees it exists. */
export async function exerciseOf(
  exerciseId: string,
  context: WorkoutContext,
): Promise<ExerciseRecord> {
  const exercise = await context.loaders.exerciseById.load(exerciseId);
  if (!exercise) throw new Error(`Exercise ${exerciseId} is referenced but missing`);
  return exercise;
}
