import type { Logger } from '@fitnexa/shared/logger';
import { DEMO_GYM_IDS, DEMO_USERS, type Principal } from '@fitnexa/shared/types';
import type { ExerciseRepository } from './data/exercises';
import type { SessionRepository } from './data/sessions';
import type { SetRepository } from './data/sets';
import type { ExerciseCatalogue } from './domain/catalogue';
import type { Templates } from './domain/templates';
import { Workouts } from './domain/workouts';

interface PlannedExercise {
  name: string;
  /** Working weight in the first week; it goes up by `stepKg` a week. */
  startKg: number;
  stepKg: number;
}

const push: PlannedExercise[] = [
  { name: 'Barbell Bench Press', startKg: 60, stepKg: 2.5 },
  { name: 'Overhead Press', startKg: 40, stepKg: 2.5 },
  { name: 'Triceps Pushdown', startKg: 25, stepKg: 2.5 },
];
const pull: PlannedExercise[] = [
  { name: 'Deadlift', startKg: 100, stepKg: 5 },
  { name: 'Barbell Row', startKg: 60, stepKg: 2.5 },
  { name: 'Barbell Curl', startKg: 30, stepKg: 2.5 },
];
const legs: PlannedExercise[] = [
  { name: 'Back Squat', startKg: 80, stepKg: 5 },
  { name: 'Romanian Deadlift', startKg: 70, stepKg: 5 },
  { name: 'Standing Calf Raise', startKg: 60, stepKg: 5 },
];

/** Push, pull, legs over the last three weeks: eight sessions, heavier every week. */
const plan = [
  { daysAgo: 20, week: 0, exercises: push },
  { daysAgo: 18, week: 0, exercises: pull },
  { daysAgo: 16, week: 0, exercises: legs },
  { daysAgo: 13, week: 1, exercises: push },
  { daysAgo: 11, week: 1, exercises: pull },
  { daysAgo: 9, week: 1, exercises: legs },
  { daysAgo: 6, week: 2, exercises: push },
  { daysAgo: 3, week: 2, exercises: pull },
];

/** Two sets of 8 at the working weight, then a heavier top set of 5. */
const setsOf = (kg: number) => [
  { reps: 8, weightKg: kg, rpe: 7 },
  { reps: 8, weightKg: kg, rpe: 8 },
  { reps: 5, weightKg: kg + 5, rpe: 9 },
];

export interface DemoSeedDeps {
  exercises: ExerciseRepository;
  sessions: SessionRepository;
  sets: SetRepository;
  catalogue: ExerciseCatalogue;
  templates: Templates;
  logger: Logger;
}

/**
 * Gives the demo member a few weeks of training, once: only while they have no session. It goes
 * through the same use cases as the API (with a clock set back), so their records are real.
 */
export async function seedDemoWorkouts(deps: DemoSeedDeps): Promise<boolean> {
  const member: Principal = { userId: DEMO_USERS.member.id, role: DEMO_USERS.member.role };
  if (await deps.sessions.hasAny(member.userId)) return false;
  const exerciseIds = new Map(
    (await deps.exercises.findAll()).map((exercise) => [exercise.name, exercise.id]),
  );
  const idOf = (name: string) => {
    const id = exerciseIds.get(name);
    if (!id) throw new Error(`The catalogue has no exercise named ${name}`);
    return id;
  };
  let clock = new Date();
  const workouts = new Workouts({ ...deps, now: () => clock });
  const today = new Date();
  for (const session of plan) {
    clock = new Date(today.getTime() - session.daysAgo * 86_400_000);
    clock.setUTCHours(17, 30, 0, 0);
    const started = await workouts.start(member, { gymId: DEMO_GYM_IDS.home, notes: null });
    for (const exercise of session.exercises) {
      for (const set of setsOf(exercise.startKg + exercise.stepKg * session.week)) {
        clock = new Date(clock.getTime() + 3 * 60_000);
        await workouts.logSet(member, {
          sessionId: started.id,
          exerciseId: idOf(exercise.name),
          ...set,
        });
      }
    }
    clock = new Date(clock.getTime() + 5 * 60_000);
    await workouts.complete(member, started.id);
  }
  await deps.templates.create(member, {
    name: 'Push day',
    exercises: push.map((exercise) => ({
      exerciseId: idOf(exercise.name),
      targetSets: 3,
      targetReps: 8,
      targetWeightKg: exercise.startKg,
    })),
  });
  deps.logger.info('demo workouts seeded', { userId: member.userId, sessions: plan.length });
  return true;
}
