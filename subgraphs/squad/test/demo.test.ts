import { uniqueName } from '@fitnexa/shared/testing';
import { DEMO_GYM_IDS, DEMO_USERS } from '@fitnexa/shared/types';
import { DEMO_SQUAD_ID } from '../src';
import { dataOf, feedKinds, LEADERBOARD_FIELDS } from './factories';
import { startTestSquad } from './harness';

describe('demo data', () => {
  it('when the embedded default starts, then the demo member owns a PUBLIC squad the coach joined, with a running volume challenge, progress and a feed, seeded once', async () => {
    const schema = uniqueName('fitnexa_squad');
    const first = await startTestSquad({ schema, seedDemoData: true });
    expect(first.server.seeded).toBe(true);
    await first.stop({ keepSchema: true });

    const again = await startTestSquad({ schema, seedDemoData: true });
    try {
      expect(again.server.seeded).toBe(false);
      const member = DEMO_USERS.member;
      const viewer = {
        id: member.id,
        token: await again.tokenFor({ userId: member.id, role: member.role }),
      };
      const found = dataOf(
        await again.graphql(
          `query D($id: ID!) { squad(id: $id) {
             name visibility homeGym { id } owner { id } memberCount myRole
             members { edges { node { role user { id } } } }
             challenges { edges { node { id title metric status leaderboard { ${LEADERBOARD_FIELDS} } } } }
           } }`,
          { id: DEMO_SQUAD_ID },
          viewer.token,
        ),
      );
      expect(found).toMatchObject({
        name: 'Mitte Lifters',
        visibility: 'PUBLIC',
        homeGym: { id: DEMO_GYM_IDS.home },
        owner: { id: member.id },
        memberCount: 2,
        myRole: 'OWNER',
      });
      expect(found.members.edges.map((edge: any) => [edge.node.user.id, edge.node.role])).toEqual([
        [member.id, 'OWNER'],
        [DEMO_USERS.coach.id, 'MEMBER'],
      ]);
      const [challenge] = found.challenges.edges.map((edge: any) => edge.node);
      expect(challenge).toMatchObject({ metric: 'TOTAL_VOLUME_KG', status: 'RUNNING' });
      expect(challenge.leaderboard.map((entry: any) => [entry.user.id, entry.progress])).toEqual([
        [member.id, 10_155],
        [DEMO_USERS.coach.id, 5350],
      ]);
      expect(await feedKinds(again, viewer, DEMO_SQUAD_ID)).toEqual([
        ...Array<string>(5).fill('CHALLENGE_PROGRESS'),
        'CHALLENGE_CREATED',
        'MEMBER_JOINED',
        'SQUAD_CREATED',
      ]);
    } finally {
      await again.stop();
    }
  });
});
