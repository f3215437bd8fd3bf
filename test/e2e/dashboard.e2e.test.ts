import { DEMO_PASSWORD, DEMO_USERS } from '@fitnexa/shared/types';
import { aGymWithPlan } from './factories';
import { startGraph, type Graph } from './support';

// The member dashboard: one query through the gateway that spans identity, gym and workout.

let graph: Graph;
beforeAll(async () => {
  graph = await startGraph({ seedDemoData: true });
});
afterAll(() => graph.stop());

const DASHBOARD = `
  query Dashboard($weekStart: DateTime!, $weekEnd: DateTime!) {
    me {
      displayName
      memberships(status: ACTIVE) { status gym { name } plan { name } }
      bookedClasses(from: $weekStart, to: $weekEnd) {
        status
        class { title startsAt gym { name } coach { displayName } }
      }
      workoutSessions(first: 5) {
        edges { node { startedAt gym { name } sets { reps weightKg exercise { name } } } }
      }
      personalRecords { kind value exercise { name } }
    }
  }`;

const DAY = 86_400_000;
const thisWeek = () => ({
  weekStart: new Date(Date.now() - DAY).toISOString(),
  weekEnd: new Date(Date.now() + 6 * DAY).toISOString(),
});

const as: Graph['as'] = (...args) => graph.as(...args);
const logIn: Graph['logIn'] = (...args) => graph.logIn(...args);
const signUp: Graph['signUp'] = (role) => graph.signUp(role);

describe('the member dashboard through the gateway', () => {
  it('when the demo member asks for their dashboard, then one query returns memberships, classes, workouts and records', async () => {
    const member = await logIn(DEMO_USERS.member.email, DEMO_PASSWORD);
    const { me } = await as(member.token, DASHBOARD, thisWeek());

    expect(me.displayName).toBe(DEMO_USERS.member.displayName);
    expect(me.memberships.length).toBeGreaterThan(0);
    expect(me.memberships[0]).toMatchObject({
      status: 'ACTIVE',
      gym: { name: expect.any(String) },
    });
    expect(me.bookedClasses.length).toBeGreaterThan(0);
    expect(me.bookedClasses[0].class.coach.displayName).toBe(DEMO_USERS.coach.displayName);
    expect(me.workoutSessions.edges).toHaveLength(5);
    const [latest] = me.workoutSessions.edges;
    expect(latest.node.gym.name).toBe(me.memberships[0].gym.name);
    expect(latest.node.sets[0].exercise.name).toEqual(expect.any(String));
    expect(me.personalRecords.length).toBeGreaterThan(0);
  });

  it('when an owner opens a gym and a member joins, books a class and trains there, then the dashboard shows exactly that', async () => {
    const { owner, gymId, planId } = await aGymWithPlan(graph);
    const coach = await signUp('COACH');
    const member = await signUp();

    const startsAt = new Date(Date.now() + 2 * DAY);
    startsAt.setUTCMinutes(0, 0, 0);
    const { scheduleClass: yoga } = await as(
      owner.token,
      'mutation S($input: ScheduleClassInput!) { scheduleClass(input: $input) { id } }',
      {
        input: {
          gymId,
          title: 'Sunrise Yoga',
          coachId: coach.id,
          startsAt: startsAt.toISOString(),
          durationMinutes: 60,
          capacity: 12,
        },
      },
    );
    await as(member.token, 'mutation J($planId: ID!) { joinGym(planId: $planId) { id } }', {
      planId,
    });
    await as(member.token, 'mutation B($classId: ID!) { bookClass(classId: $classId) { id } }', {
      classId: yoga.id,
    });
    const { exercises } = await as(
      null,
      '{ exercises(first: 100) { edges { node { id name } } } }',
    );
    const deadlift = exercises.edges.find((edge: any) => edge.node.name === 'Deadlift').node;
    const { startWorkoutSession: session } = await as(
      member.token,
      'mutation W($gymId: ID) { startWorkoutSession(gymId: $gymId) { id } }',
      { gymId },
    );
    for (const weightKg of [100, 120]) {
      await as(
        member.token,
        'mutation L($s: ID!, $e: ID!, $w: Float!) { logSet(sessionId: $s, exerciseId: $e, reps: 5, weightKg: $w) { id } }',
        { s: session.id, e: deadlift.id, w: weightKg },
      );
    }
    await as(member.token, 'mutation C($s: ID!) { completeWorkoutSession(sessionId: $s) { id } }', {
      s: session.id,
    });

    const { me } = await as(member.token, DASHBOARD, thisWeek());
    expect(me.memberships).toEqual([
      { status: 'ACTIVE', gym: { name: 'Iron Temple' }, plan: { name: 'Monthly' } },
    ]);
    expect(me.bookedClasses).toEqual([
      {
        status: 'BOOKED',
        class: {
          title: 'Sunrise Yoga',
          startsAt: startsAt.toISOString(),
          gym: { name: 'Iron Temple' },
          coach: { displayName: expect.stringMatching(/^Member \d+$/) },
        },
      },
    ]);
    expect(me.workoutSessions.edges).toEqual([
      {
        node: {
          startedAt: expect.any(String),
          gym: { name: 'Iron Temple' },
          sets: [
            { reps: 5, weightKg: 100, exercise: { name: 'Deadlift' } },
            { reps: 5, weightKg: 120, exercise: { name: 'Deadlift' } },
          ],
        },
      },
    ]);
    expect(me.personalRecords).toEqual(
      expect.arrayContaining([
        { kind: 'HEAVIEST_WEIGHT', value: 120, exercise: { name: 'Deadlift' } },
        { kind: 'ESTIMATED_1RM', value: 140, exercise: { name: 'Deadlift' } },
      ]),
    );
  });

  it("when someone else asks for a member's private fields through the gateway, then they are FORBIDDEN", async () => {
    const stranger = await signUp();
    const response = await graph.post(
      {
        query:
          'query U($id: ID!) { user(id: $id) { displayName workoutSessions { edges { node { id } } } } }',
        variables: { id: DEMO_USERS.member.id },
      },
      { authorization: `Bearer ${stranger.token}` },
    );
    expect(response.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(response.body.data?.user?.workoutSessions ?? null).toBeNull();
  });
});
