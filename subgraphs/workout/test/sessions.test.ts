import { randomUUID } from 'node:crypto';
import {
  aSession,
  aUser,
  aWorkout,
  completeSession,
  logSet,
  SESSION_FIELDS,
  startSession,
} from './factories';
import { codeOf, startTestWorkout, type TestWorkout } from './harness';

let workout: TestWorkout;

beforeAll(async () => {
  workout = await startTestWorkout();
});
afterAll(() => workout.stop());

const readSession = (id: string, token?: string) =>
  workout.graphql(
    `query W($id: ID!) { workoutSession(id: $id) { ${SESSION_FIELDS} } }`,
    { id },
    token,
  );

describe('a workout session', () => {
  it('when a member starts a session at a gym, logs sets and completes it, then it shows the sets in order', async () => {
    const member = await aUser(workout);
    const gymId = randomUUID();
    const started = await aSession(workout, member, { gymId, notes: '  Leg day  ' });
    await logSet(workout, member, started.id, { exercise: 'Back Squat', reps: 5, weightKg: 100 });
    await logSet(workout, member, started.id, {
      exercise: 'Leg Press',
      reps: 10,
      weightKg: 180,
      rpe: 8.5,
    });
    const completed = await completeSession(workout, member, started.id);

    expect(completed.data.completeWorkoutSession).toEqual({
      id: started.id,
      startedAt: started.startedAt,
      completedAt: expect.any(String),
      notes: 'Leg day',
      gym: { id: gymId },
      user: { id: member.id },
      sets: [
        { order: 1, reps: 5, weightKg: 100, rpe: null, exercise: { name: 'Back Squat' } },
        { order: 2, reps: 10, weightKg: 180, rpe: 8.5, exercise: { name: 'Leg Press' } },
      ],
    });
    expect((await readSession(started.id, member.token)).data.workoutSession).toEqual(
      completed.data.completeWorkoutSession,
    );
  });

  it('when a member starts a session without a gym, then its gym is null', async () => {
    const member = await aUser(workout);
    const started = await aSession(workout, member);
    expect(started).toMatchObject({ gym: null, notes: null, completedAt: null, sets: [] });
  });

  it('when a member starts a second session while one is unfinished, then it is CONFLICT until the first is completed', async () => {
    const member = await aUser(workout);
    const first = await aSession(workout, member);
    expect(codeOf(await startSession(workout, member))).toBe('CONFLICT');
    await completeSession(workout, member, first.id);
    expect((await startSession(workout, member)).data.startWorkoutSession.id).toEqual(
      expect.any(String),
    );
  });

  it('when a member starts two sessions at once, then exactly one starts', async () => {
    const member = await aUser(workout);
    const results = await Promise.all([
      startSession(workout, member),
      startSession(workout, member),
      startSession(workout, member),
    ]);
    expect(results.filter((result) => result.data).length).toBe(1);
    expect(results.filter((result) => codeOf(result) === 'CONFLICT').length).toBe(2);
  });

  it('when sets are logged concurrently, then they get consecutive orders', async () => {
    const member = await aUser(workout);
    const session = await aSession(workout, member);
    await Promise.all(
      [1, 2, 3, 4, 5].map((reps) =>
        logSet(workout, member, session.id, { exercise: 'Push-Up', reps, weightKg: 0 }),
      ),
    );
    const sets = (await readSession(session.id, member.token)).data.workoutSession.sets;
    expect(sets.map((set: any) => set.order)).toEqual([1, 2, 3, 4, 5]);
  });

  it('when a set is logged to a completed session, then it is CONFLICT', async () => {
    const member = await aUser(workout);
    const session = await aWorkout(workout, member, [
      { exercise: 'Deadlift', reps: 5, weightKg: 140 },
    ]);
    const result = await logSet(workout, member, session.id, {
      exercise: 'Deadlift',
      reps: 5,
      weightKg: 150,
    });
    expect(codeOf(result)).toBe('CONFLICT');
  });

  it('when a completed session is completed again, then it is CONFLICT', async () => {
    const member = await aUser(workout);
    const session = await aWorkout(workout, member, []);
    expect(codeOf(await completeSession(workout, member, session.id))).toBe('CONFLICT');
  });

  it.each([
    ['reps', { reps: 0 }],
    ['reps', { reps: 101 }],
    ['weightKg', { weightKg: -1 }],
    ['weightKg', { weightKg: 1000.5 }],
    ['rpe', { rpe: 0.5 }],
    ['rpe', { rpe: 11 }],
    ['rpe', { rpe: 7.3 }],
  ])(
    'when a set has an invalid %s (%j), then it is BAD_USER_INPUT naming it',
    async (field, change) => {
      const member = await aUser(workout);
      const session = await aSession(workout, member);
      const result = await logSet(workout, member, session.id, {
        exercise: 'Barbell Row',
        reps: 8,
        weightKg: 60,
        ...change,
      });
      expect(codeOf(result)).toBe('BAD_USER_INPUT');
      expect(result.errors?.[0]?.message).toContain(field);
    },
  );

  it('when notes are longer than 2000 characters, then starting is BAD_USER_INPUT', async () => {
    const member = await aUser(workout);
    expect(codeOf(await startSession(workout, member, { notes: 'x'.repeat(2001) }))).toBe(
      'BAD_USER_INPUT',
    );
  });

  it('when a set names an unknown session or exercise, then it is NOT_FOUND', async () => {
    const member = await aUser(workout);
    const session = await aSession(workout, member);
    const logTo = (sessionId: string, exerciseId: string) =>
      workout.graphql(
        'mutation L($s: ID!, $e: ID!) { logSet(sessionId: $s, exerciseId: $e, reps: 5, weightKg: 50) { id } }',
        { s: sessionId, e: exerciseId },
        member.token,
      );
    const anExercise = (await workout.graphql('{ exercises(first: 1) { edges { node { id } } } }'))
      .data.exercises.edges[0].node.id;
    expect(codeOf(await logTo(randomUUID(), anExercise))).toBe('NOT_FOUND');
    expect(codeOf(await logTo('not-a-uuid', anExercise))).toBe('NOT_FOUND');
    expect(codeOf(await logTo(session.id, randomUUID()))).toBe('NOT_FOUND');
    expect(codeOf(await logTo(session.id, 'not-a-uuid'))).toBe('NOT_FOUND');
    expect(codeOf(await readSession(randomUUID(), member.token))).toBe('NOT_FOUND');
    expect(codeOf(await completeSession(workout, member, 'nope'))).toBe('NOT_FOUND');
  });
});

describe('who may do what with a session', () => {
  it('when someone without a token starts a session, then it is UNAUTHENTICATED', async () => {
    const result = await workout.graphql('mutation { startWorkoutSession { id } }');
    expect(codeOf(result)).toBe('UNAUTHENTICATED');
  });

  it('when another member logs a set to my session, then it is FORBIDDEN and nothing is logged', async () => {
    const me = await aUser(workout);
    const other = await aUser(workout);
    const session = await aSession(workout, me);
    const result = await logSet(workout, other, session.id, {
      exercise: 'Pull-Up',
      reps: 10,
      weightKg: 0,
    });
    expect(codeOf(result)).toBe('FORBIDDEN');
    expect((await readSession(session.id, me.token)).data.workoutSession.sets).toEqual([]);
  });

  it('when an admin logs a set to my session, then it is FORBIDDEN too: only the owner logs', async () => {
    const me = await aUser(workout);
    const admin = await aUser(workout, 'ADMIN');
    const session = await aSession(workout, me);
    const result = await logSet(workout, admin, session.id, {
      exercise: 'Pull-Up',
      reps: 10,
      weightKg: 0,
    });
    expect(codeOf(result)).toBe('FORBIDDEN');
  });

  it('when another member completes my session, then it is FORBIDDEN and it stays unfinished', async () => {
    const me = await aUser(workout);
    const other = await aUser(workout);
    const session = await aSession(workout, me);
    expect(codeOf(await completeSession(workout, other, session.id))).toBe('FORBIDDEN');
    expect((await readSession(session.id, me.token)).data.workoutSession.completedAt).toBeNull();
  });

  it('when another member reads my session, then it is FORBIDDEN; an admin may read it', async () => {
    const me = await aUser(workout);
    const other = await aUser(workout);
    const admin = await aUser(workout, 'ADMIN');
    const session = await aSession(workout, me);
    expect(codeOf(await readSession(session.id, other.token))).toBe('FORBIDDEN');
    expect((await readSession(session.id, admin.token)).data.workoutSession.id).toBe(session.id);
  });

  it('when a session is resolved as a federation reference, then its owner gets it and anyone else null', async () => {
    const me = await aUser(workout);
    const other = await aUser(workout);
    const session = await aSession(workout, me);
    const resolve = (token: string) =>
      workout.graphql(
        'query E($r: [_Any!]!) { _entities(representations: $r) { ... on WorkoutSession { id user { id } } } }',
        {
          r: [
            { __typename: 'WorkoutSession', id: session.id },
            { __typename: 'WorkoutSession', id: randomUUID() },
            { __typename: 'WorkoutSession', id: 'not-a-uuid' },
          ],
        },
        token,
      );
    expect((await resolve(me.token)).data._entities).toEqual([
      { id: session.id, user: { id: me.id } },
      null,
      null,
    ]);
    expect((await resolve(other.token)).data._entities).toEqual([null, null, null]);
  });
});
