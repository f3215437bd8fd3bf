import { entityFields, aUser, dataOf, type TestUser } from '@fitnexa/shared/testing';
import type { GraphQLResult, TestWorkout } from './harness';

// Small factories over the public API: test data is made the way clients make it.

export { aUser, dataOf, type TestUser };

const exerciseIdsCache = new WeakMap<TestWorkout, Promise<Map<string, string>>>();

/** The catalogue's id of the exercise called `name`. */
export async function exerciseId(workout: TestWorkout, name: string): Promise<string> {
  let ids = exerciseIdsCache.get(workout);
  if (!ids) {
    ids = workout
      .graphql('{ exercises(first: 100) { edges { node { id name } } } }')
      .then(
        (result) =>
          new Map(result.data.exercises.edges.map((edge: any) => [edge.node.name, edge.node.id])),
      );
    exerciseIdsCache.set(workout, ids);
  }
  const id = (await ids).get(name);
  if (!id) throw new Error(`no exercise named ${name}`);
  return id;
}

export const SESSION_FIELDS =
  'id startedAt completedAt notes gym { id } user { id } sets { order reps weightKg rpe exercise { name } }';

export async function startSession(
  workout: TestWorkout,
  user: TestUser,
  args: { gymId?: string; notes?: string } = {},
): Promise<GraphQLResult> {
  return workout.graphql(
    `mutation S($gymId: ID, $notes: String) { startWorkoutSession(gymId: $gymId, notes: $notes) { ${SESSION_FIELDS} } }`,
    args,
    user.token,
  );
}

export async function aSession(
  workout: TestWorkout,
  user: TestUser,
  args: { gymId?: string; notes?: string } = {},
): Promise<{ id: string; startedAt: string }> {
  const result = await startSession(workout, user, args);
  if (!result.data) throw new Error(JSON.stringify(result.errors));
  return result.data.startWorkoutSession;
}

export interface SetInput {
  exercise: string;
  reps: number;
  weightKg: number;
  rpe?: number;
}

export async function logSet(
  workout: TestWorkout,
  user: TestUser,
  sessionId: string,
  set: SetInput,
): Promise<GraphQLResult> {
  return workout.graphql(
    `mutation L($sessionId: ID!, $exerciseId: ID!, $reps: Int!, $weightKg: Float!, $rpe: Float) {
       logSet(sessionId: $sessionId, exerciseId: $exerciseId, reps: $reps, weightKg: $weightKg, rpe: $rpe) {
         id order reps weightKg rpe exercise { name } personalRecords { kind value }
       }
     }`,
    {
      sessionId,
      exerciseId: await exerciseId(workout, set.exercise),
      reps: set.reps,
      weightKg: set.weightKg,
      rpe: set.rpe ?? null,
    },
    user.token,
  );
}

export async function completeSession(
  workout: TestWorkout,
  user: TestUser,
  sessionId: string,
): Promise<GraphQLResult> {
  return workout.graphql(
    `mutation C($id: ID!) { completeWorkoutSession(sessionId: $id) { ${SESSION_FIELDS} } }`,
    { id: sessionId },
    user.token,
  );
}

/** A session with these sets, completed unless `completed: false`. */
export async function aWorkout(
  workout: TestWorkout,
  user: TestUser,
  sets: SetInput[],
  { completed = true } = {},
): Promise<{ id: string; startedAt: string }> {
  const session = await aSession(workout, user);
  for (const set of sets) {
    const result = await logSet(workout, user, session.id, set);
    if (!result.data) throw new Error(JSON.stringify(result.errors));
  }
  if (completed) await completeSession(workout, user, session.id);
  return session;
}

/** A user's fields as another subgraph (or the gateway) asks for them: through `_entities`. */
export function userFields(
  workout: TestWorkout,
  userIds: string[],
  selection: string,
  token?: string,
  variables: Record<string, unknown> = {},
): Promise<GraphQLResult> {
  return entityFields(workout.graphql, 'User', userIds, selection, {
    token,
    variables,
    variableTypes,
  });
}

const variableTypes: Record<string, string> = {
  $range: 'StatsRange!',
  $first: 'Int',
  $after: 'String',
};
