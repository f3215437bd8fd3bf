import { randomUUID } from 'node:crypto';
import {
  acceptInvitation,
  approveJoinRequest,
  aSquad,
  aStaffedSquad,
  aUser,
  dataOf,
  declineJoinRequest,
  feedKinds,
  inviteToSquad,
  joinSquad,
  leaveSquad,
  requestToJoin,
  type TestUser,
} from './factories';
import { codeOf, startTestSquad, type TestSquad } from './harness';

let squad: TestSquad;
beforeAll(async () => {
  squad = await startTestSquad();
});
afterAll(() => squad.stop());

const membersOf = async (viewer: TestUser, squadId: string) => {
  const found = dataOf(
    await squad.graphql(
      'query M($id: ID!) { squad(id: $id) { memberCount members(first: 50) { edges { node { role user { id } } } } } }',
      { id: squadId },
      viewer.token,
    ),
  );
  return {
    count: found.memberCount,
    members: found.members.edges.map((edge: any) => [edge.node.user.id, edge.node.role]),
  };
};

const openRequests = async (viewer: TestUser, squadId: string) =>
  squad.graphql(
    'query R($id: ID!) { squad(id: $id) { joinRequests { edges { node { id user { id } squad { id } } } } } }',
    { id: squadId },
    viewer.token,
  );

describe('joining a PUBLIC squad', () => {
  it('when a user joins, then they are a MEMBER, listed after the owner, and the feed says so', async () => {
    const owner = await aUser(squad);
    const { id } = await aSquad(squad, owner);
    const joiner = await aUser(squad);
    expect(dataOf(await joinSquad(squad, joiner, id))).toMatchObject({
      role: 'MEMBER',
      user: { id: joiner.id },
    });
    expect(await membersOf(joiner, id)).toEqual({
      count: 2,
      members: [
        [owner.id, 'OWNER'],
        [joiner.id, 'MEMBER'],
      ],
    });
    expect(await feedKinds(squad, joiner, id)).toEqual(['MEMBER_JOINED', 'SQUAD_CREATED']);
  });

  it('when a member joins again, then it is CONFLICT', async () => {
    const owner = await aUser(squad);
    const { id } = await aSquad(squad, owner);
    expect(codeOf(await joinSquad(squad, owner, id))).toBe('CONFLICT');
  });

  it('when the squad does not exist, then it is NOT_FOUND', async () => {
    expect(codeOf(await joinSquad(squad, await aUser(squad), randomUUID()))).toBe('NOT_FOUND');
    expect(codeOf(await joinSquad(squad, await aUser(squad), 'not-an-id'))).toBe('NOT_FOUND');
  });

  it('when someone asks to join it instead, then it is CONFLICT: it is joined directly', async () => {
    const { id } = await aSquad(squad, await aUser(squad));
    expect(codeOf(await requestToJoin(squad, await aUser(squad), id))).toBe('CONFLICT');
  });
});

describe('joining a PRIVATE squad by request', () => {
  it('when a user joins it directly, then it is FORBIDDEN and they are no member', async () => {
    const owner = await aUser(squad);
    const { id } = await aSquad(squad, owner, { visibility: 'PRIVATE' });
    expect(codeOf(await joinSquad(squad, await aUser(squad), id))).toBe('FORBIDDEN');
    expect((await membersOf(owner, id)).count).toBe(1);
  });

  it.each(['owner', 'admin'] as const)(
    'when its %s approves a request, then the requester is a MEMBER and the request is gone',
    async (who) => {
      const staffed = await aStaffedSquad(squad, 'PRIVATE');
      const requester = await aUser(squad);
      const request = dataOf(await requestToJoin(squad, requester, staffed.squadId));
      // The requester does not see the squad before they are let in.
      expect(request).toMatchObject({ user: { id: requester.id }, squad: null });
      const listed = dataOf(await openRequests(staffed[who], staffed.squadId));
      expect(listed.joinRequests.edges).toEqual([
        { node: { id: request.id, user: { id: requester.id }, squad: { id: staffed.squadId } } },
      ]);

      expect(dataOf(await approveJoinRequest(squad, staffed[who], request.id))).toEqual({
        role: 'MEMBER',
        user: { id: requester.id },
      });
      expect((await membersOf(requester, staffed.squadId)).members).toContainEqual([
        requester.id,
        'MEMBER',
      ]);
      expect(dataOf(await openRequests(staffed.owner, staffed.squadId)).joinRequests.edges).toEqual(
        [],
      );
      expect(codeOf(await approveJoinRequest(squad, staffed.owner, request.id))).toBe('NOT_FOUND');
    },
  );

  it('when its owner declines a request, then the requester stays out and may ask again', async () => {
    const { squadId, owner } = await aStaffedSquad(squad, 'PRIVATE');
    const requester = await aUser(squad);
    const request = dataOf(await requestToJoin(squad, requester, squadId));
    expect(dataOf(await declineJoinRequest(squad, owner, request.id))).toBe(true);
    expect((await membersOf(owner, squadId)).members).not.toContainEqual([requester.id, 'MEMBER']);
    expect(codeOf(await declineJoinRequest(squad, owner, request.id))).toBe('NOT_FOUND');
    expect(dataOf(await requestToJoin(squad, requester, squadId)).id).not.toBe(request.id);
  });

  it('when a plain MEMBER, an outsider, an admin of FitNexa or the requester answers a request, then it is FORBIDDEN', async () => {
    const { squadId, member } = await aStaffedSquad(squad, 'PRIVATE');
    const requester = await aUser(squad);
    const request = dataOf(await requestToJoin(squad, requester, squadId));
    for (const user of [member, await aUser(squad), await aUser(squad, 'ADMIN'), requester]) {
      expect(codeOf(await approveJoinRequest(squad, user, request.id))).toBe('FORBIDDEN');
      expect(codeOf(await declineJoinRequest(squad, user, request.id))).toBe('FORBIDDEN');
    }
    expect(codeOf(await openRequests(member, squadId))).toBe('FORBIDDEN');
  });

  it('when a user asks twice, or a member asks, then it is CONFLICT', async () => {
    const { squadId, member } = await aStaffedSquad(squad, 'PRIVATE');
    const requester = await aUser(squad);
    dataOf(await requestToJoin(squad, requester, squadId));
    expect(codeOf(await requestToJoin(squad, requester, squadId))).toBe('CONFLICT');
    expect(codeOf(await requestToJoin(squad, member, squadId))).toBe('CONFLICT');
  });
});

describe('joining a PRIVATE squad by invitation', () => {
  it.each(['owner', 'admin'] as const)(
    'when its %s invites a user who accepts, then they are a MEMBER and the invitation is used up',
    async (who) => {
      const staffed = await aStaffedSquad(squad, 'PRIVATE');
      const invitee = await aUser(squad);
      const invitation = dataOf(
        await inviteToSquad(squad, staffed[who], staffed.squadId, invitee.id),
      );
      expect(invitation.invitedBy).toEqual({ id: staffed[who].id });

      const mine = dataOf(
        await squad.graphql(
          '{ mySquadInvitations { id invitedBy { id } squad { id name visibility } } }',
          {},
          invitee.token,
        ),
      );
      // The invitee sees what they are invited to, though it is PRIVATE.
      expect(mine).toEqual([
        {
          id: invitation.id,
          invitedBy: { id: staffed[who].id },
          squad: { id: staffed.squadId, name: 'Iron Crew', visibility: 'PRIVATE' },
        },
      ]);

      expect(dataOf(await acceptInvitation(squad, invitee, invitation.id))).toEqual({
        role: 'MEMBER',
        user: { id: invitee.id },
      });
      expect((await membersOf(invitee, staffed.squadId)).count).toBe(4);
      expect(
        dataOf(await squad.graphql('{ mySquadInvitations { id } }', {}, invitee.token)),
      ).toEqual([]);
      expect(codeOf(await acceptInvitation(squad, invitee, invitation.id))).toBe('NOT_FOUND');
    },
  );

  it('when an invitee looks inside the squad before accepting, then its members are FORBIDDEN', async () => {
    const { squadId, owner } = await aStaffedSquad(squad, 'PRIVATE');
    const invitee = await aUser(squad);
    dataOf(await inviteToSquad(squad, owner, squadId, invitee.id));
    const result = await squad.graphql(
      '{ mySquadInvitations { squad { name members { edges { cursor } } } } }',
      {},
      invitee.token,
    );
    expect(codeOf(result)).toBe('FORBIDDEN');
  });

  it('when anyone but the invitee accepts the invitation, then it is NOT_FOUND', async () => {
    const { squadId, owner, admin } = await aStaffedSquad(squad, 'PRIVATE');
    const invitation = dataOf(await inviteToSquad(squad, owner, squadId, randomUUID()));
    for (const user of [owner, admin, await aUser(squad), await aUser(squad, 'ADMIN')]) {
      expect(codeOf(await acceptInvitation(squad, user, invitation.id))).toBe('NOT_FOUND');
    }
  });

  it('when a plain MEMBER or an outsider invites, then it is FORBIDDEN', async () => {
    const { squadId, member } = await aStaffedSquad(squad, 'PRIVATE');
    for (const user of [member, await aUser(squad), await aUser(squad, 'ADMIN')]) {
      expect(codeOf(await inviteToSquad(squad, user, squadId, randomUUID()))).toBe('FORBIDDEN');
    }
  });

  it('when a member or an invitee is invited again, then it is CONFLICT', async () => {
    const { squadId, owner, member } = await aStaffedSquad(squad, 'PRIVATE');
    const invitee = randomUUID();
    dataOf(await inviteToSquad(squad, owner, squadId, invitee));
    expect(codeOf(await inviteToSquad(squad, owner, squadId, invitee))).toBe('CONFLICT');
    expect(codeOf(await inviteToSquad(squad, owner, squadId, member.id))).toBe('CONFLICT');
    expect(codeOf(await inviteToSquad(squad, owner, squadId, 'nobody'))).toBe('BAD_USER_INPUT');
  });

  it('when a user who asked to join is invited and accepts, then their request is used up too', async () => {
    const { squadId, owner } = await aStaffedSquad(squad, 'PRIVATE');
    const user = await aUser(squad);
    dataOf(await requestToJoin(squad, user, squadId));
    const invitation = dataOf(await inviteToSquad(squad, owner, squadId, user.id));
    dataOf(await acceptInvitation(squad, user, invitation.id));
    expect(dataOf(await openRequests(owner, squadId)).joinRequests.edges).toEqual([]);
  });
});

describe('leaving a squad', () => {
  it('when a member leaves, then they are gone and the feed says so', async () => {
    const { squadId, owner, member } = await aStaffedSquad(squad, 'PUBLIC');
    expect(dataOf(await leaveSquad(squad, member, squadId))).toBe(true);
    expect((await membersOf(owner, squadId)).members).not.toContainEqual([member.id, 'MEMBER']);
    expect((await feedKinds(squad, owner, squadId))[0]).toBe('MEMBER_LEFT');
    expect(codeOf(await leaveSquad(squad, member, squadId))).toBe('NOT_FOUND');
  });

  it('when the owner leaves, then it is CONFLICT: they hand ownership over first', async () => {
    const { squadId, owner } = await aStaffedSquad(squad, 'PUBLIC');
    const result = await leaveSquad(squad, owner, squadId);
    expect(codeOf(result)).toBe('CONFLICT');
    expect(result.errors![0]!.message).toMatch(/transferSquadOwnership/);
  });

  it('when an outsider leaves, then it is NOT_FOUND', async () => {
    const { squadId } = await aStaffedSquad(squad, 'PUBLIC');
    expect(codeOf(await leaveSquad(squad, await aUser(squad), squadId))).toBe('NOT_FOUND');
  });
});
