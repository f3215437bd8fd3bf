import { capturingLogger } from '@fitnexa/shared/testing';
import {
  aSession,
  aUser,
  aWorkout,
  completeSession,
  logSet,
  userFields,
  type TestUser,
} from './factories';
import { codeOf, startTestWorkout, type TestWorkout } from './harness';

let workout: TestWorkout;

beforeAll(async () => {
  workout = await startTestWorkout();
});
afterAll(() => workout.stop());

const day = 86_400_000;
const SESSIONS_PAGE =
  'workoutSessions(first: $first, after: $after) { edges { cursor node { id startedAt } } pageInfo { hasNextPage endCursor } }';

describe("a user's workout sessions", () => {
  it('when a member pages through their sessions, then they come newest first, each once', async () => {
    const member = await aUser(workout);
    const created: string[] = [];
    for (let index = 0; index < 5; index += 1) {
      created.push((await aWorkout(workout, member, [])).id);
    }
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const result = await userFields(workout, [member.id], SESSIONS_PAGE, member.token, {
        first: 2,
        after,
      });
      const connection: any = result.data._entities[0].workoutSessions;
      seen.push(...connection.edges.map((edge: any) => edge.node.id));
      pages += 1;
      if (!connection.pageInfo.hasNextPage) break;
      after = connection.pageInfo.endCursor;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual([...created].reverse());
  });

  it('when the page size or cursor is invalid, then it is BAD_USER_INPUT', async () => {
    const member = await aUser(workout);
    for (const variables of [{ first: 0 }, { first: 101 }, { first: 2, after: 'bm9wZQ' }]) {
      const result = await userFields(workout, [member.id], SESSIONS_PAGE, member.token, variables);
      expect(codeOf(result)).toBe('BAD_USER_INPUT');
    }
  });

  it('when a user has no sessions, then the connection is empty', async () => {
    const member = await aUser(workout);
    const result = await userFields(workout, [member.id], SESSIONS_PAGE, member.token, {
      first: 5,
    });
    expect(result.data._entities[0].workoutSessions).toEqual({
      edges: [],
      pageInfo: { hasNextPage: false, endCursor: null },
    });
  });
});

describe("who may read a user's workout fields", () => {
  const range = { from: new Date(Date.now() - 7 * day), to: new Date(Date.now() + day) };

  it.each([
    ['workoutSessions', 'workoutSessions { edges { node { id } } }'],
    ['personalRecords', 'personalRecords { value }'],
    ['stats', 'stats(range: $range) { sessions }'],
  ])(
    'when another member reads my %s, then it is FORBIDDEN; an admin may read them',
    async (_field, selection) => {
      const me = await aUser(workout);
      const other = await aUser(workout);
      const admin = await aUser(workout, 'ADMIN');
      await aWorkout(workout, me, [{ exercise: 'Deadlift', reps: 5, weightKg: 100 }]);
      const variables = selection.includes('$range') ? { range } : {};

      expect(codeOf(await userFields(workout, [me.id], selection, other.token, variables))).toBe(
        'FORBIDDEN',
      );
      expect(codeOf(await userFields(workout, [me.id], selection, undefined, variables))).toBe(
        'UNAUTHENTICATED',
      );
      const asAdmin = await userFields(workout, [me.id], selection, admin.token, variables);
      expect(asAdmin.errors).toBeUndefined();
      expect(asAdmin.data._entities[0]).toEqual(expect.any(Object));
    },
  );
});

describe('workout stats', () => {
  const STATS =
    'stats(range: $range) { sessions totalVolumeKg perMuscleGroup { muscleGroup volumeKg } }';

  it('when stats cover a range, then they sum only the completed sessions started in it, per muscle group too', async () => {
    const member = await aUser(workout);
    // Before the range: not counted.
    await aWorkout(workout, member, [{ exercise: 'Deadlift', reps: 5, weightKg: 200 }]);
    const inRange = await aSession(workout, member);
    await logSet(workout, member, inRange.id, {
      exercise: 'Barbell Bench Press',
      reps: 5,
      weightKg: 100,
    });
    await logSet(workout, member, inRange.id, { exercise: 'Barbell Curl', reps: 10, weightKg: 30 });
    await logSet(workout, member, inRange.id, { exercise: 'Push-Up', reps: 20, weightKg: 0 });
    await completeSession(workout, member, inRange.id);
    // In the range but unfinished: not counted.
    await aWorkout(workout, member, [{ exercise: 'Back Squat', reps: 5, weightKg: 100 }], {
      completed: false,
    });

    const result = await userFields(workout, [member.id], STATS, member.token, {
      range: { from: inRange.startedAt, to: new Date(Date.now() + day).toISOString() },
    });

    // Bench 500 (chest, triceps, shoulders), curl 300 (biceps), push-ups 0 (chest, triceps, core).
    expect(result.data._entities[0].stats).toEqual({
      sessions: 1,
      totalVolumeKg: 800,
      perMuscleGroup: [
        { muscleGroup: 'CHEST', volumeKg: 500 },
        { muscleGroup: 'SHOULDERS', volumeKg: 500 },
        { muscleGroup: 'TRICEPS', volumeKg: 500 },
        { muscleGroup: 'BICEPS', volumeKg: 300 },
        { muscleGroup: 'CORE', volumeKg: 0 },
      ],
    });
  });

  it('when a range holds no completed session, then the stats are zero', async () => {
    const member = await aUser(workout);
    await aWorkout(workout, member, [{ exercise: 'Deadlift', reps: 5, weightKg: 200 }]);
    const result = await userFields(workout, [member.id], STATS, member.token, {
      range: { from: '2020-01-01T00:00:00Z', to: '2020-12-31T00:00:00Z' },
    });
    expect(result.data._entities[0].stats).toEqual({
      sessions: 0,
      totalVolumeKg: 0,
      perMuscleGroup: [],
    });
  });

  it.each([
    ['longer than 366 days', { from: '2025-01-01T00:00:00Z', to: '2026-01-03T00:00:00Z' }],
    ['ending before it starts', { from: '2026-02-01T00:00:00Z', to: '2026-01-01T00:00:00Z' }],
    ['of no length', { from: '2026-02-01T00:00:00Z', to: '2026-02-01T00:00:00Z' }],
  ])('when the range is %s, then it is BAD_USER_INPUT', async (_what, range) => {
    const member = await aUser(workout);
    const result = await userFields(workout, [member.id], STATS, member.token, { range });
    expect(codeOf(result)).toBe('BAD_USER_INPUT');
  });
});

describe('batching', () => {
  it('when 10 or 200 users are resolved with their sessions, sets and exercises, then both cost the same number of SQL statements', async () => {
    const logs = capturingLogger('workout');
    // The in-process cache: this test is about SQL, and a cache that never times out keeps the
    // count exact (the Redis-backed catalogue is tested in catalogue.test.ts).
    const counted = await startTestWorkout({ logger: logs.logger, redisUrl: undefined });
    try {
      const admin = await aUser(counted, 'ADMIN');
      const members: TestUser[] = [];
      for (let index = 0; index < 20; index += 1) {
        const member = await aUser(counted);
        await aWorkout(counted, member, [
          { exercise: 'Deadlift', reps: 5, weightKg: 100 + index },
          { exercise: 'Pull-Up', reps: 8, weightKg: 0 },
        ]);
        await aWorkout(counted, member, [{ exercise: 'Back Squat', reps: 5, weightKg: 80 }], {
          completed: false,
        });
        members.push(member);
      }
      const statementsFor = async (userIds: string[], selection: string, variables = {}) => {
        const before = logs.entries.filter((entry) => entry.message === 'sql').length;
        const result = await userFields(counted, userIds, selection, admin.token, variables);
        expect(result.errors).toBeUndefined();
        expect(result.data._entities).toHaveLength(userIds.length);
        return logs.entries.filter((entry) => entry.message === 'sql').length - before;
      };
      const withStrangers = (count: number) => [
        ...members.map((member) => member.id),
        ...Array.from({ length: count - members.length }, () => crypto.randomUUID()),
      ];
      const ten = members.slice(0, 10).map((member) => member.id);
      const twoHundred = withStrangers(200);

      const sessions =
        'workoutSessions(first: 5) { edges { node { id sets { reps exercise { name } } } } }';
      // The completions' events go out first, so the relay's statements are in no count.
      await counted.server.outbox.drain();
      // Warms the cached catalogue, so neither count includes loading it.
      await statementsFor(ten, sessions);
      const sessionsOfTen = await statementsFor(ten, sessions);
      const sessionsOfTwoHundred = await statementsFor(twoHundred, sessions);
      // One for the pages of sessions, one for their sets; exercises come from the cache.
      expect(sessionsOfTen).toBe(2);
      expect(sessionsOfTwoHundred).toBe(sessionsOfTen);

      const records =
        'personalRecords { value exercise { name } set { reps } } stats(range: $range) { sessions perMuscleGroup { muscleGroup } }';
      const range = {
        from: new Date(Date.now() - day).toISOString(),
        to: new Date(Date.now() + day).toISOString(),
      };
      const recordsOfTen = await statementsFor(ten, records, { range });
      const recordsOfTwoHundred = await statementsFor(twoHundred, records, { range });
      // Records, their sets, and the two stats queries.
      expect(recordsOfTen).toBe(4);
      expect(recordsOfTwoHundred).toBe(recordsOfTen);
    } finally {
      await counted.stop();
    }
  });
});
