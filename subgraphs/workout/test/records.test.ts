import { aSession, aUser, aWorkout, logSet, userFields, type TestUser } from './factories';
import { startTestWorkout, type TestWorkout } from './harness';

let workout: TestWorkout;

beforeAll(async () => {
  workout = await startTestWorkout();
});
afterAll(() => workout.stop());

const recordsOf = async (user: TestUser) =>
  (
    await userFields(
      workout,
      [user.id],
      'personalRecords { kind value achievedAt exercise { name } set { reps weightKg } }',
      user.token,
    )
  ).data._entities[0].personalRecords;

describe('personal records', () => {
  it('when a member logs a heavier set than ever, then a heaviest-weight PR is recorded', async () => {
    const member = await aUser(workout);
    await aWorkout(workout, member, [{ exercise: 'Barbell Bench Press', reps: 5, weightKg: 80 }]);
    const session = await aSession(workout, member);

    const heavier = await logSet(workout, member, session.id, {
      exercise: 'Barbell Bench Press',
      reps: 2,
      weightKg: 85,
    });

    expect(heavier.data.logSet.personalRecords).toEqual([{ kind: 'HEAVIEST_WEIGHT', value: 85 }]);
    expect(await recordsOf(member)).toEqual(
      expect.arrayContaining([
        {
          kind: 'HEAVIEST_WEIGHT',
          value: 85,
          achievedAt: expect.any(String),
          exercise: { name: 'Barbell Bench Press' },
          set: { reps: 2, weightKg: 85 },
        },
      ]),
    );
  });

  it('when a set beats the estimated one-rep max (Epley), then an estimated-1RM PR is recorded', async () => {
    const member = await aUser(workout);
    const session = await aSession(workout, member);
    const first = await logSet(workout, member, session.id, {
      exercise: 'Back Squat',
      reps: 5,
      weightKg: 120,
    });
    // 120 × (1 + 5/30) = 140; then 125 × (1 + 1/30) ≈ 129.17 is heavier but a lower estimate.
    expect(first.data.logSet.personalRecords).toEqual([
      { kind: 'ESTIMATED_1RM', value: 140 },
      { kind: 'HEAVIEST_WEIGHT', value: 120 },
    ]);
    const single = await logSet(workout, member, session.id, {
      exercise: 'Back Squat',
      reps: 1,
      weightKg: 125,
    });
    expect(single.data.logSet.personalRecords).toEqual([{ kind: 'HEAVIEST_WEIGHT', value: 125 }]);
    const lighter = await logSet(workout, member, session.id, {
      exercise: 'Back Squat',
      reps: 3,
      weightKg: 100,
    });
    expect(lighter.data.logSet.personalRecords).toEqual([]);
    expect(
      (await recordsOf(member)).map((record: any) => [record.kind, record.value, record.set.reps]),
    ).toEqual(
      expect.arrayContaining([
        ['ESTIMATED_1RM', 140, 5],
        ['HEAVIEST_WEIGHT', 125, 1],
      ]),
    );
  });

  it('when a set has more than 12 reps, then it sets no estimated 1RM', async () => {
    const member = await aUser(workout);
    const session = await aSession(workout, member);
    const result = await logSet(workout, member, session.id, {
      exercise: 'Leg Press',
      reps: 13,
      weightKg: 200,
    });
    expect(result.data.logSet.personalRecords).toEqual([{ kind: 'HEAVIEST_WEIGHT', value: 200 }]);
  });

  it('when a set is bodyweight or not strength work, then it sets no record', async () => {
    const member = await aUser(workout);
    const session = await aSession(workout, member);
    const pushUps = await logSet(workout, member, session.id, {
      exercise: 'Push-Up',
      reps: 30,
      weightKg: 0,
    });
    const rowing = await logSet(workout, member, session.id, {
      exercise: 'Rowing Machine',
      reps: 1,
      weightKg: 50,
    });
    expect(pushUps.data.logSet.personalRecords).toEqual([]);
    expect(rowing.data.logSet.personalRecords).toEqual([]);
    expect(await recordsOf(member)).toEqual([]);
  });

  it('when another member lifts more, then my records stay mine', async () => {
    const me = await aUser(workout);
    const other = await aUser(workout);
    await aWorkout(workout, me, [{ exercise: 'Deadlift', reps: 3, weightKg: 150 }]);
    await aWorkout(workout, other, [{ exercise: 'Deadlift', reps: 3, weightKg: 250 }]);
    expect((await recordsOf(me)).map((record: any) => [record.kind, record.set.weightKg])).toEqual(
      expect.arrayContaining([
        ['HEAVIEST_WEIGHT', 150],
        ['ESTIMATED_1RM', 150],
      ]),
    );
  });

  it('when heavier sets are logged concurrently, then the record is the heaviest of them', async () => {
    const member = await aUser(workout);
    const session = await aSession(workout, member);
    await Promise.all(
      [60, 70, 80, 75, 65].map((weightKg) =>
        logSet(workout, member, session.id, { exercise: 'Barbell Row', reps: 5, weightKg }),
      ),
    );
    const heaviest = (await recordsOf(member)).find(
      (record: any) => record.kind === 'HEAVIEST_WEIGHT',
    );
    expect(heaviest).toMatchObject({ value: 80, set: { weightKg: 80 } });
  });
});
