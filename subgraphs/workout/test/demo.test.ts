import { DEMO_GYM_IDS, DEMO_USERS } from '@fitnexa/shared/types';
import { uniqueName } from '@fitnexa/shared/testing';
import { startTestWorkout } from './harness';

describe('demo data', () => {
  it('when the embedded default starts, then the demo member has sessions with sets and records, seeded once', async () => {
    const schema = uniqueName('fitnexa_workout');
    const first = await startTestWorkout({ schema, seedDemoData: true });
    expect(first.server.seeded).toBe(true);
    await first.stop({ keepSchema: true });

    const again = await startTestWorkout({ schema, seedDemoData: true });
    try {
      expect(again.server.seeded).toBe(false);
      const member = DEMO_USERS.member;
      const token = await again.tokenFor({ userId: member.id, role: member.role });
      const result = await again.graphql(
        `query D($representations: [_Any!]!) { _entities(representations: $representations) { ... on User {
           workoutSessions(first: 50) { edges { node { completedAt gym { id } sets { reps exercise { name } } } } }
           personalRecords { kind value exercise { name } }
         } } }`,
        { representations: [{ __typename: 'User', id: member.id }] },
        token,
      );
      expect(result.errors).toBeUndefined();
      const [user] = result.data._entities;
      const sessions = user.workoutSessions.edges.map((edge: any) => edge.node);
      expect(sessions).toHaveLength(8);
      for (const session of sessions) {
        expect(session.completedAt).not.toBeNull();
        expect(session.gym).toEqual({ id: DEMO_GYM_IDS.home });
        expect(session.sets).toHaveLength(9);
      }
      expect(user.personalRecords.length).toBeGreaterThan(0);
      const templates = await again.graphql('{ myWorkoutTemplates { name } }', {}, token);
      expect(templates.data.myWorkoutTemplates).toEqual([{ name: 'Push day' }]);
    } finally {
      await again.stop();
    }
  });
});
