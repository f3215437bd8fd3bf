import { aUser, exerciseId, type TestUser } from './factories';
import { codeOf, startTestWorkout, type TestWorkout } from './harness';

let workout: TestWorkout;

beforeAll(async () => {
  workout = await startTestWorkout();
});
afterAll(() => workout.stop());

const TEMPLATE =
  'id name exercises { position targetSets targetReps targetWeightKg exercise { name } }';

async function exercisesOf(...names: string[]) {
  return Promise.all(
    names.map(async (name, index) => ({
      exerciseId: await exerciseId(workout, name),
      targetSets: 3 + index,
      targetReps: 8,
      targetWeightKg: index === 0 ? 60 : null,
    })),
  );
}

function createTemplate(user: TestUser | undefined, input: Record<string, unknown>) {
  return workout.graphql(
    `mutation C($input: CreateWorkoutTemplateInput!) { createWorkoutTemplate(input: $input) { ${TEMPLATE} } }`,
    { input },
    user?.token,
  );
}

function updateTemplate(user: TestUser, id: string, input: Record<string, unknown>) {
  return workout.graphql(
    `mutation U($id: ID!, $input: UpdateWorkoutTemplateInput!) { updateWorkoutTemplate(id: $id, input: $input) { ${TEMPLATE} } }`,
    { id, input },
    user.token,
  );
}

const myTemplates = (user: TestUser) =>
  workout.graphql(`{ myWorkoutTemplates { ${TEMPLATE} } }`, {}, user.token);

describe('workout templates', () => {
  it('when a member creates a template, then it lists its exercises in order with their targets', async () => {
    const member = await aUser(workout);
    const created = await createTemplate(member, {
      name: '  Push day ',
      exercises: await exercisesOf('Barbell Bench Press', 'Overhead Press'),
    });
    expect(created.errors).toBeUndefined();
    expect(created.data.createWorkoutTemplate).toMatchObject({
      name: 'Push day',
      exercises: [
        {
          position: 1,
          targetSets: 3,
          targetReps: 8,
          targetWeightKg: 60,
          exercise: { name: 'Barbell Bench Press' },
        },
        {
          position: 2,
          targetSets: 4,
          targetReps: 8,
          targetWeightKg: null,
          exercise: { name: 'Overhead Press' },
        },
      ],
    });
    expect((await myTemplates(member)).data.myWorkoutTemplates).toEqual([
      created.data.createWorkoutTemplate,
    ]);
  });

  it('when the owner renames a template, then its exercises stay; when they give exercises, then the list is replaced', async () => {
    const member = await aUser(workout);
    const { id } = (
      await createTemplate(member, {
        name: 'Legs',
        exercises: await exercisesOf('Back Squat', 'Deadlift'),
      })
    ).data.createWorkoutTemplate;

    const renamed = await updateTemplate(member, id, { name: 'Leg day' });
    expect(renamed.data.updateWorkoutTemplate.name).toBe('Leg day');
    expect(renamed.data.updateWorkoutTemplate.exercises).toHaveLength(2);

    const replaced = await updateTemplate(member, id, {
      exercises: await exercisesOf('Leg Press'),
    });
    expect(replaced.data.updateWorkoutTemplate).toMatchObject({
      name: 'Leg day',
      exercises: [{ position: 1, exercise: { name: 'Leg Press' } }],
    });
  });

  it('when another member edits or deletes my template, then it is FORBIDDEN and the template is unchanged', async () => {
    const me = await aUser(workout);
    const other = await aUser(workout);
    const admin = await aUser(workout, 'ADMIN');
    const { id } = (
      await createTemplate(me, { name: 'Mine', exercises: await exercisesOf('Deadlift') })
    ).data.createWorkoutTemplate;

    expect(codeOf(await updateTemplate(other, id, { name: 'Stolen' }))).toBe('FORBIDDEN');
    expect(codeOf(await updateTemplate(admin, id, { name: 'Admin was here' }))).toBe('FORBIDDEN');
    const deleted = await workout.graphql(
      'mutation D($id: ID!) { deleteWorkoutTemplate(id: $id) }',
      { id },
      other.token,
    );
    expect(codeOf(deleted)).toBe('FORBIDDEN');
    expect((await myTemplates(me)).data.myWorkoutTemplates).toMatchObject([{ id, name: 'Mine' }]);
    expect((await myTemplates(other)).data.myWorkoutTemplates).toEqual([]);
  });

  it('when the owner deletes a template, then it is gone, and deleting it again is NOT_FOUND', async () => {
    const member = await aUser(workout);
    const { id } = (
      await createTemplate(member, {
        name: 'Short-lived',
        exercises: await exercisesOf('Deadlift'),
      })
    ).data.createWorkoutTemplate;
    const remove = () =>
      workout.graphql(
        'mutation D($id: ID!) { deleteWorkoutTemplate(id: $id) }',
        { id },
        member.token,
      );

    expect((await remove()).data).toEqual({ deleteWorkoutTemplate: true });
    expect((await myTemplates(member)).data.myWorkoutTemplates).toEqual([]);
    expect(codeOf(await remove())).toBe('NOT_FOUND');
  });

  it('when a template is invalid, then it is BAD_USER_INPUT naming the field, and nothing is created', async () => {
    const member = await aUser(workout);
    const [valid] = await exercisesOf('Deadlift');
    const invalid = [
      { name: '', exercises: [valid] },
      { name: 'x'.repeat(81), exercises: [valid] },
      { name: 'No exercises', exercises: [] },
      { name: 'Too many sets', exercises: [{ ...valid, targetSets: 21 }] },
      { name: 'Negative weight', exercises: [{ ...valid, targetWeightKg: -5 }] },
    ];
    for (const input of invalid) {
      const result = await createTemplate(member, input);
      expect(codeOf(result)).toBe('BAD_USER_INPUT');
    }
    expect((await myTemplates(member)).data.myWorkoutTemplates).toEqual([]);
  });

  it('when a template names an unknown exercise, then it is NOT_FOUND', async () => {
    const member = await aUser(workout);
    const [valid] = await exercisesOf('Deadlift');
    const result = await createTemplate(member, {
      name: 'Ghost',
      exercises: [{ ...valid, exerciseId: '7d1d3c2e-0000-4000-8000-000000000000' }],
    });
    expect(codeOf(result)).toBe('NOT_FOUND');
  });

  it('when someone without a token creates a template, then it is UNAUTHENTICATED', async () => {
    const result = await createTemplate(undefined, {
      name: 'Anonymous',
      exercises: await exercisesOf('Deadlift'),
    });
    expect(codeOf(result)).toBe('UNAUTHENTICATED');
  });
});
