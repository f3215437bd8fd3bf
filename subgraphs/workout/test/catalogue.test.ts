import { capturingLogger } from '@fitnexa/shared/testing';
import { EXERCISE_CATALOGUE } from '../src/domain/catalogue-entries';
import { aUser, aWorkout } from './factories';
import { codeOf, startTestWorkout, type TestWorkout } from './harness';

const EXERCISES =
  'query E($muscleGroup: MuscleGroup, $first: Int, $after: String) { exercises(muscleGroup: $muscleGroup, first: $first, after: $after) { edges { node { id name muscleGroups } } pageInfo { hasNextPage endCursor } } }';

async function allExerciseNames(workout: TestWorkout, variables: Record<string, unknown> = {}) {
  const names: string[] = [];
  let after: string | null = null;
  for (;;) {
    const result = await workout.graphql(EXERCISES, { ...variables, first: 7, after });
    expect(result.errors).toBeUndefined();
    names.push(...result.data.exercises.edges.map((edge: any) => edge.node.name));
    if (!result.data.exercises.pageInfo.hasNextPage) return names;
    after = result.data.exercises.pageInfo.endCursor;
  }
}

describe('the exercise catalogue', () => {
  let workout: TestWorkout;
  const logs = capturingLogger('workout');
  const statements = () => logs.entries.filter((entry) => entry.message === 'sql').length;

  beforeAll(async () => {
    workout = await startTestWorkout({ logger: logs.logger });
  });
  afterAll(() => workout.stop());

  it('when anyone pages through the catalogue, then they see every seeded exercise once, by name', async () => {
    const names = await allExerciseNames(workout);
    expect(names).toHaveLength(EXERCISE_CATALOGUE.length);
    expect(names).toEqual(EXERCISE_CATALOGUE.map((entry) => entry.name).sort());
  });

  it('when the catalogue is filtered by a muscle group, then only its exercises come back', async () => {
    const names = await allExerciseNames(workout, { muscleGroup: 'HAMSTRINGS' });
    const expected = EXERCISE_CATALOGUE.filter((entry) =>
      entry.muscleGroups.includes('HAMSTRINGS'),
    );
    expect(names.sort()).toEqual(expected.map((entry) => entry.name).sort());
    expect(names.length).toBeGreaterThan(0);
  });

  it('when the catalogue was read once, then reading it and its exercises again costs no SQL (Redis)', async () => {
    const first = await workout.graphql(EXERCISES, { first: 3 });
    const id = first.data.exercises.edges[0].node.id;
    const before = statements();
    const again = await workout.graphql(EXERCISES, { first: 3 });
    const one = await workout.graphql('query X($id: ID!) { exercise(id: $id) { name } }', { id });
    expect(again.data).toEqual(first.data);
    expect(one.data.exercise.name).toBe(first.data.exercises.edges[0].node.name);
    expect(statements() - before).toBe(0);
  });

  it('when an exercise id is unknown or malformed, then the exercise is null', async () => {
    for (const id of ['7d1d3c2e-0000-4000-8000-000000000000', 'not-an-id']) {
      const result = await workout.graphql('query X($id: ID!) { exercise(id: $id) { name } }', {
        id,
      });
      expect(result).toEqual({ data: { exercise: null } });
    }
  });

  it('when the page size is out of bounds, then it is BAD_USER_INPUT', async () => {
    expect(codeOf(await workout.graphql(EXERCISES, { first: 0 }))).toBe('BAD_USER_INPUT');
  });
});

describe('when Redis is not reachable', () => {
  let workout: TestWorkout;

  beforeAll(async () => {
    // Nothing listens on port 1: every cache call fails fast and counts as a miss.
    workout = await startTestWorkout({ redisUrl: 'redis://127.0.0.1:1' });
  });
  afterAll(() => workout.stop());

  it('then the catalogue is read from PostgreSQL, and sessions and sets are still logged', async () => {
    const names = await allExerciseNames(workout);
    expect(names).toHaveLength(EXERCISE_CATALOGUE.length);
    const member = await aUser(workout);
    const session = await aWorkout(workout, member, [
      { exercise: 'Deadlift', reps: 5, weightKg: 140 },
    ]);
    const read = await workout.graphql(
      'query S($id: ID!) { workoutSession(id: $id) { completedAt sets { exercise { name } } } }',
      { id: session.id },
      member.token,
    );
    expect(read.data.workoutSession.sets).toEqual([{ exercise: { name: 'Deadlift' } }]);
    expect(read.data.workoutSession.completedAt).not.toBeNull();
  });

  it('then the service stays ready and reports the cache (and the revocations on the same Redis) as degraded', async () => {
    const response = await fetch(workout.server.url.replace('/graphql', '/health/ready'));
    const body = await response.json();
    expect(response.status).toBe(200);
    expect(body).toMatchObject({
      ready: true,
      degraded: ['cache', 'revocations'],
      checks: { cache: { status: 'down' }, revocations: { status: 'down' } },
    });
  });
});
