import { randomUUID } from 'node:crypto';
import {
  aChallenge,
  aSquad,
  aStaffedSquad,
  aUser,
  dataOf,
  entities,
  feedKinds,
  leaveSquad,
  requestToJoin,
  squadFeed,
  type TestUser,
} from './factories';
import { codeOf, startTestSquad, type TestSquad } from './harness';

let squad: TestSquad;
// A PRIVATE squad with a challenge, and a PUBLIC one, both of `owner`.
let hidden: Awaited<ReturnType<typeof aStaffedSquad>> & { challengeId: string };
let open: { id: string };

beforeAll(async () => {
  squad = await startTestSquad();
  const staffed = await aStaffedSquad(squad, 'PRIVATE');
  const { id: challengeId } = await aChallenge(squad, staffed.owner, staffed.squadId);
  hidden = { ...staffed, challengeId };
  open = await aSquad(squad, staffed.owner, { name: 'Open Crew' });
});
afterAll(() => squad.stop());

const readSquad = (user: TestUser | undefined, id: string) =>
  squad.graphql(
    'query S($id: ID!) { squad(id: $id) { id name members { edges { node { user { id } } } } challenges { edges { node { id } } } } }',
    { id },
    user?.token,
  );

const readChallenge = (user: TestUser, id: string) =>
  squad.graphql(
    'query C($id: ID!) { challenge(id: $id) { id leaderboard { user { id } } } }',
    { id },
    user.token,
  );

describe('a PRIVATE squad', () => {
  it('when a member or an admin of FitNexa reads it, then they see it, its members, challenges and feed', async () => {
    for (const user of [hidden.member, await aUser(squad, 'ADMIN')]) {
      const found = dataOf(await readSquad(user, hidden.squadId));
      expect(found.id).toBe(hidden.squadId);
      expect(found.members.edges).toHaveLength(3);
      expect(found.challenges.edges).toEqual([{ node: { id: hidden.challengeId } }]);
      expect(dataOf(await readChallenge(user, hidden.challengeId)).leaderboard).toHaveLength(3);
      expect(await feedKinds(squad, user, hidden.squadId)).toContain('CHALLENGE_CREATED');
    }
  });

  it.each(['MEMBER', 'COACH', 'GYM_OWNER'] as const)(
    'when a %s who is not a member reads it, then it does not exist for them: null squad and challenge, NOT_FOUND feed',
    async (role) => {
      const outsider = await aUser(squad, role);
      expect(await readSquad(outsider, hidden.squadId)).toEqual({ data: { squad: null } });
      expect(await readChallenge(outsider, hidden.challengeId)).toEqual({
        data: { challenge: null },
      });
      const feed = await squadFeed(squad, outsider, hidden.squadId);
      expect(codeOf(feed)).toBe('NOT_FOUND');
      expect(feed.data).toBeNull();
      // Exactly as for a squad that does not exist.
      expect(codeOf(await squadFeed(squad, outsider, randomUUID()))).toBe('NOT_FOUND');
    },
  );

  it('when another subgraph resolves a reference to it for an outsider, then it is null', async () => {
    const result = await entities(
      squad,
      'Squad',
      [hidden.squadId, open.id],
      'id name',
      (await aUser(squad)).token,
    );
    expect(result.data._entities).toEqual([null, { id: open.id, name: 'Open Crew' }]);
    const asMember = await entities(squad, 'Squad', [hidden.squadId], 'id', hidden.member.token);
    expect(asMember.data._entities).toEqual([{ id: hidden.squadId }]);
  });

  it('when a member left it, then it no longer exists for them', async () => {
    const { squadId, member } = await aStaffedSquad(squad, 'PRIVATE');
    dataOf(await leaveSquad(squad, member, squadId));
    expect(await readSquad(member, squadId)).toEqual({ data: { squad: null } });
    expect(codeOf(await squadFeed(squad, member, squadId))).toBe('NOT_FOUND');
  });

  it('when someone asks to join it, then the request does not show them the squad', async () => {
    const request = dataOf(await requestToJoin(squad, await aUser(squad), hidden.squadId));
    expect(request.squad).toBeNull();
  });

  it('when nobody is signed in, then every read of squads is UNAUTHENTICATED', async () => {
    expect(codeOf(await readSquad(undefined, open.id))).toBe('UNAUTHENTICATED');
    expect(codeOf(await squadFeed(squad, undefined, open.id))).toBe('UNAUTHENTICATED');
    expect(codeOf(await entities(squad, 'Squad', [open.id], 'id'))).toBe('UNAUTHENTICATED');
  });
});

describe('a PUBLIC squad', () => {
  it('when anyone signed in reads it, then they see it, its members and its feed', async () => {
    const outsider = await aUser(squad, 'COACH');
    const found = dataOf(await readSquad(outsider, open.id));
    expect(found).toMatchObject({ id: open.id, name: 'Open Crew' });
    expect(found.members.edges).toHaveLength(1);
    expect(await feedKinds(squad, outsider, open.id)).toEqual(['SQUAD_CREATED']);
  });
});

describe("a user's squads", () => {
  const squadsOf = async (viewer: TestUser | undefined, userId: string) => {
    const result = await entities(squad, 'User', [userId], 'squads { id }', viewer?.token);
    if (result.errors) return codeOf(result);
    return result.data._entities[0].squads.map((found: any) => found.id).sort();
  };

  it('when the user themselves or an admin of FitNexa reads them, then they see all of them', async () => {
    const both = [hidden.squadId, open.id].sort();
    expect(await squadsOf(hidden.owner, hidden.owner.id)).toEqual(both);
    expect(await squadsOf(await aUser(squad, 'ADMIN'), hidden.owner.id)).toEqual(both);
  });

  it('when anyone else reads them, even a fellow member, then they see the PUBLIC ones only', async () => {
    expect(await squadsOf(await aUser(squad), hidden.owner.id)).toEqual([open.id]);
    expect(await squadsOf(hidden.member, hidden.owner.id)).toEqual([open.id]);
  });

  it('when nobody is signed in, then it is UNAUTHENTICATED', async () => {
    expect(await squadsOf(undefined, hidden.owner.id)).toBe('UNAUTHENTICATED');
  });
});
