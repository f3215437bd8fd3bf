import { randomUUID } from 'node:crypto';
import { REVOCATION_FRESH_FOR_MS, REVOCATION_SETTLED_MS } from '@fitnexa/shared/auth/revocations';
import { EVENTS_EXCHANGE } from '@fitnexa/shared/events';
import { capturingLogger, gatewayCredentialHeaders, untilPasses } from '@fitnexa/shared/testing';
import {
  publishEvent,
  recordEvents,
  startTestBus,
  type TestBus,
} from '@fitnexa/shared/testing/bus';
import { aSession, aUser, aWorkout, exerciseId, logSet, type TestUser } from './factories';
import { startTestWorkout, type TestWorkout } from './harness';

let testBus: TestBus;
let workout: TestWorkout;
const logs = capturingLogger('workout');

beforeAll(async () => {
  testBus = startTestBus();
  workout = await startTestWorkout({ bus: testBus.bus, logger: logs.logger });
});
afterAll(async () => {
  await workout.stop();
  await testBus.dispose();
});

const processed = (eventId: string) =>
  workout.sql(`SELECT "type" FROM "ProcessedEvent" WHERE "eventId" = $1`, [eventId]);

/** What workout holds of the user: sessions, their sets, records and templates, counted. */
async function holdingsOf(user: TestUser) {
  const [row] = await workout.sql(
    `SELECT (SELECT count(*) FROM "WorkoutSession" WHERE "userId" = $1)::int AS sessions,
            (SELECT count(*) FROM "ExerciseSet" s JOIN "WorkoutSession" w ON w.id = s."sessionId"
              WHERE w."userId" = $1)::int AS sets,
            (SELECT count(*) FROM "PersonalRecord" WHERE "userId" = $1)::int AS records,
            (SELECT count(*) FROM "WorkoutTemplate" WHERE "userId" = $1)::int AS templates`,
    [user.id],
  );
  return row;
}

/** A completed workout, an unfinished one and a template: a bit of everything workout keeps. */
async function anActiveUser(): Promise<TestUser> {
  const user = await aUser(workout);
  await aWorkout(workout, user, [
    { exercise: 'Deadlift', reps: 5, weightKg: 120 },
    { exercise: 'Back Squat', reps: 5, weightKg: 100 },
  ]);
  await aWorkout(workout, user, [{ exercise: 'Deadlift', reps: 3, weightKg: 130 }], {
    completed: false,
  });
  const created = await workout.graphql(
    'mutation T($input: CreateWorkoutTemplateInput!) { createWorkoutTemplate(input: $input) { id } }',
    {
      input: {
        name: 'Pull day',
        exercises: [
          { exerciseId: await exerciseId(workout, 'Deadlift'), targetSets: 3, targetReps: 5 },
        ],
      },
    },
    user.token,
  );
  if (!created.data) throw new Error(JSON.stringify(created.errors));
  return user;
}

describe('workout.session.completed', () => {
  it("when a member finishes a session, then the event is published once with its volume and the request's correlation id", async () => {
    const events = await recordEvents(testBus.bus, ['workout.#']);
    const member = await aUser(workout);
    const gymId = randomUUID();
    const session = await aSession(workout, member, { gymId });
    await logSet(workout, member, session.id, { exercise: 'Deadlift', reps: 5, weightKg: 100 });
    await logSet(workout, member, session.id, { exercise: 'Back Squat', reps: 8, weightKg: 62.5 });
    const response = await fetch(workout.server.url, {
      method: 'POST',
      headers: {
        ...(await gatewayCredentialHeaders('workout')),
        'content-type': 'application/json',
        authorization: `Bearer ${member.token}`,
        'x-correlation-id': 'finish-session-1',
      },
      body: JSON.stringify({
        query: 'mutation C($id: ID!) { completeWorkoutSession(sessionId: $id) { completedAt } }',
        variables: { id: session.id },
      }),
    });
    const { completedAt } = (await response.json()).data.completeWorkoutSession;

    await untilPasses(() => expect(events).toHaveLength(1));
    expect(events[0]).toEqual({
      id: expect.any(String),
      type: 'workout.session.completed',
      source: 'workout',
      occurredAt: expect.any(String),
      correlationId: 'finish-session-1',
      data: {
        sessionId: session.id,
        userId: member.id,
        gymId,
        completedAt,
        totalVolumeKg: 5 * 100 + 8 * 62.5,
      },
    });
    // Marked published once confirmed (after any publishing under way), so it never goes out again.
    await workout.server.outbox.drain();
    expect(
      await workout.sql(`SELECT "publishedAt" FROM "OutboxEvent" WHERE "data"->>'sessionId' = $1`, [
        session.id,
      ]),
    ).toEqual([{ publishedAt: expect.any(Date) }]);
    expect(events).toHaveLength(1);
  });

  it('when a session without a gym or sets is finished, then the event says so: no gym, no volume', async () => {
    const events = await recordEvents(testBus.bus, ['workout.session.completed']);
    const member = await aUser(workout);
    const session = await aWorkout(workout, member, []);

    await untilPasses(() =>
      expect(events.map((event) => event.data)).toContainEqual(
        expect.objectContaining({ sessionId: session.id, gymId: null, totalVolumeKg: 0 }),
      ),
    );
  });
});

describe('identity.user.deleted', () => {
  it("when a user's account is deleted, then their sessions, sets, records and templates are gone and other users' are untouched", async () => {
    const leaver = await anActiveUser();
    const stayer = await anActiveUser();
    const kept = await holdingsOf(stayer);
    expect(kept).toEqual({ sessions: 2, sets: 3, records: expect.any(Number), templates: 1 });
    expect(kept.records).toBeGreaterThan(0);
    expect(await holdingsOf(leaver)).toEqual(kept);

    const event = await publishEvent(testBus.bus, 'identity', 'identity.user.deleted', {
      userId: leaver.id,
    });

    await untilPasses(async () =>
      expect(await processed(event.id)).toEqual([{ type: 'identity.user.deleted' }]),
    );
    expect(await holdingsOf(leaver)).toEqual({ sessions: 0, sets: 0, records: 0, templates: 0 });
    expect(await holdingsOf(stayer)).toEqual(kept);
    // The handler ran under the event's correlation id.
    expect(
      logs.entries.find(
        (entry) =>
          entry.message === "deleted user's workout data erased" && entry.userId === leaver.id,
      ),
    ).toMatchObject({ sessions: 2, templates: 1, correlationId: event.correlationId ?? event.id });
  });

  it('when a session is started with the token while its revocation is still spreading, then the erasure takes it too', async () => {
    const leaver = await aUser(workout);
    const event = await publishEvent(testBus.bus, 'identity', 'identity.user.deleted', {
      userId: leaver.id,
    });
    // As a request a service took with the token just before it refused it (its cached read of
    // the revocation is REVOCATION_FRESH_FOR_MS old at most) commits: after an erasure at the
    // event's arrival would have run, before the revocation has settled.
    await new Promise((resolve) => setTimeout(resolve, REVOCATION_FRESH_FOR_MS + 50));
    await aSession(workout, leaver);

    await untilPasses(async () =>
      expect(await processed(event.id)).toEqual([{ type: 'identity.user.deleted' }]),
    );
    expect(await holdingsOf(leaver)).toEqual({ sessions: 0, sets: 0, records: 0, templates: 0 });
    const [{ processedAt }] = (await workout.sql(
      `SELECT "processedAt" FROM "ProcessedEvent" WHERE "eventId" = $1`,
      [event.id],
    )) as [{ processedAt: Date }];
    expect(processedAt.getTime() - Date.parse(event.occurredAt)).toBeGreaterThanOrEqual(
      REVOCATION_SETTLED_MS,
    );
  });

  it('when the same deletion is delivered twice, then it is applied once: one processed event, one erasure', async () => {
    const leaver = await anActiveUser();

    const event = await publishEvent(testBus.bus, 'identity', 'identity.user.deleted', {
      userId: leaver.id,
    });
    await testBus.bus.publish(EVENTS_EXCHANGE, event.type, event, { messageId: event.id });

    await untilPasses(() =>
      expect(
        logs.entries.filter(
          (entry) =>
            entry.message === 'event already handled; dropped' && entry.eventId === event.id,
        ),
      ).toHaveLength(1),
    );
    expect(await processed(event.id)).toHaveLength(1);
    expect(await holdingsOf(leaver)).toEqual({ sessions: 0, sets: 0, records: 0, templates: 0 });
    expect(
      logs.entries.filter(
        (entry) =>
          entry.message === "deleted user's workout data erased" && entry.userId === leaver.id,
      ),
    ).toHaveLength(1);
  });
});
