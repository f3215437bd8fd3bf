import {
  aMember,
  aStaffedSquad,
  aUser,
  dataOf,
  feedKinds,
  leaveSquad,
  removeMember,
  setMemberRole,
  squadFeed,
  transferOwnership,
  type TestUser,
} from './factories';
import { codeOf, startTestSquad, type TestSquad } from './harness';

let squad: TestSquad;
beforeAll(async () => {
  squad = await startTestSquad();
});
afterAll(() => squad.stop());

const rolesIn = async (viewer: TestUser, squadId: string) => {
  const found = dataOf(
    await squad.graphql(
      'query M($id: ID!) { squad(id: $id) { owner { id } members { edges { node { role user { id } } } } } }',
      { id: squadId },
      viewer.token,
    ),
  );
  return {
    owner: found.owner.id,
    roles: Object.fromEntries(
      found.members.edges.map((edge: any) => [edge.node.user.id, edge.node.role]),
    ),
  };
};

describe('removing members', () => {
  it('when the owner removes an ADMIN and a MEMBER, then both are gone and the feed names them', async () => {
    const { squadId, owner, admin, member } = await aStaffedSquad(squad, 'PUBLIC');
    expect(dataOf(await removeMember(squad, owner, squadId, admin.id))).toBe(true);
    expect(dataOf(await removeMember(squad, owner, squadId, member.id))).toBe(true);
    expect((await rolesIn(owner, squadId)).roles).toEqual({ [owner.id]: 'OWNER' });
    const feed = dataOf(await squadFeed(squad, owner, squadId, { first: 2 }));
    expect(feed.edges.map((edge: any) => edge.node)).toMatchObject([
      { kind: 'MEMBER_REMOVED', actor: { id: owner.id }, subject: { id: member.id } },
      { kind: 'MEMBER_REMOVED', actor: { id: owner.id }, subject: { id: admin.id } },
    ]);
  });

  it('when an ADMIN removes a MEMBER, then they are gone', async () => {
    const { squadId, owner, admin, member } = await aStaffedSquad(squad, 'PUBLIC');
    expect(dataOf(await removeMember(squad, admin, squadId, member.id))).toBe(true);
    expect((await rolesIn(owner, squadId)).roles[member.id]).toBeUndefined();
  });

  it('when an ADMIN removes another ADMIN or the OWNER, then it is FORBIDDEN', async () => {
    const { squadId, owner, admin } = await aStaffedSquad(squad, 'PUBLIC');
    const otherAdmin = await aMember(squad, squadId, owner);
    dataOf(await setMemberRole(squad, owner, squadId, otherAdmin.id, 'ADMIN'));
    expect(codeOf(await removeMember(squad, admin, squadId, otherAdmin.id))).toBe('FORBIDDEN');
    expect(codeOf(await removeMember(squad, admin, squadId, owner.id))).toBe('FORBIDDEN');
  });

  it('when a plain MEMBER, an outsider or an admin of FitNexa removes someone, then it is FORBIDDEN', async () => {
    const { squadId, owner, member } = await aStaffedSquad(squad, 'PUBLIC');
    const other = await aMember(squad, squadId, owner);
    for (const user of [member, await aUser(squad), await aUser(squad, 'ADMIN')]) {
      expect(codeOf(await removeMember(squad, user, squadId, other.id))).toBe('FORBIDDEN');
    }
    expect(Object.keys((await rolesIn(owner, squadId)).roles)).toHaveLength(4);
  });

  it('when the one removed is no member, or is the remover, then it is NOT_FOUND or CONFLICT', async () => {
    const { squadId, owner, admin } = await aStaffedSquad(squad, 'PUBLIC');
    expect(codeOf(await removeMember(squad, owner, squadId, (await aUser(squad)).id))).toBe(
      'NOT_FOUND',
    );
    expect(codeOf(await removeMember(squad, admin, squadId, admin.id))).toBe('CONFLICT');
    expect(codeOf(await removeMember(squad, owner, squadId, 'nobody'))).toBe('BAD_USER_INPUT');
  });
});

describe('setting roles', () => {
  it('when the owner makes a MEMBER an ADMIN and back, then their role changes and the feed says so', async () => {
    const { squadId, owner, member } = await aStaffedSquad(squad, 'PUBLIC');
    expect(dataOf(await setMemberRole(squad, owner, squadId, member.id, 'ADMIN'))).toEqual({
      role: 'ADMIN',
      user: { id: member.id },
    });
    const [entry] = dataOf(await squadFeed(squad, owner, squadId, { first: 1 })).edges;
    expect(entry.node).toMatchObject({
      kind: 'MEMBER_ROLE_CHANGED',
      subject: { id: member.id },
      role: 'ADMIN',
    });
    expect(dataOf(await setMemberRole(squad, owner, squadId, member.id, 'MEMBER')).role).toBe(
      'MEMBER',
    );
  });

  it('when an ADMIN, a MEMBER or an admin of FitNexa sets a role, then it is FORBIDDEN', async () => {
    const { squadId, admin, member } = await aStaffedSquad(squad, 'PUBLIC');
    for (const user of [admin, member, await aUser(squad, 'ADMIN')]) {
      expect(codeOf(await setMemberRole(squad, user, squadId, member.id, 'ADMIN'))).toBe(
        'FORBIDDEN',
      );
    }
  });

  it('when the owner gives the role OWNER, then it is BAD_USER_INPUT: ownership is handed over instead', async () => {
    const { squadId, owner, member } = await aStaffedSquad(squad, 'PUBLIC');
    const result = await setMemberRole(squad, owner, squadId, member.id, 'OWNER');
    expect(codeOf(result)).toBe('BAD_USER_INPUT');
    expect(result.errors![0]!.message).toMatch(/transferSquadOwnership/);
  });

  it('when the owner changes their own role, then it is CONFLICT', async () => {
    const { squadId, owner } = await aStaffedSquad(squad, 'PUBLIC');
    expect(codeOf(await setMemberRole(squad, owner, squadId, owner.id, 'MEMBER'))).toBe('CONFLICT');
  });
});

describe('handing ownership over', () => {
  it('when the owner hands it to a member, then that member is OWNER, the previous owner an ADMIN who may leave', async () => {
    const { squadId, owner, member } = await aStaffedSquad(squad, 'PRIVATE');
    const transferred = dataOf(await transferOwnership(squad, owner, squadId, member.id));
    expect(transferred).toEqual({ owner: { id: member.id }, myRole: 'ADMIN' });
    const { owner: newOwner, roles } = await rolesIn(member, squadId);
    expect(newOwner).toBe(member.id);
    expect(roles[member.id]).toBe('OWNER');
    expect(roles[owner.id]).toBe('ADMIN');
    expect((await feedKinds(squad, member, squadId))[0]).toBe('OWNERSHIP_TRANSFERRED');

    // The new owner now decides; the previous one no longer may.
    expect(codeOf(await setMemberRole(squad, owner, squadId, member.id, 'MEMBER'))).toBe(
      'FORBIDDEN',
    );
    expect(dataOf(await leaveSquad(squad, owner, squadId))).toBe(true);
    expect(codeOf(await leaveSquad(squad, member, squadId))).toBe('CONFLICT');
  });

  it('when an ADMIN, a MEMBER or an admin of FitNexa hands it over, then it is FORBIDDEN', async () => {
    const { squadId, admin, member } = await aStaffedSquad(squad, 'PUBLIC');
    for (const user of [admin, member, await aUser(squad, 'ADMIN')]) {
      expect(codeOf(await transferOwnership(squad, user, squadId, user.id))).toBe('FORBIDDEN');
    }
  });

  it('when the owner hands it to a non-member or to themselves, then it is NOT_FOUND or CONFLICT', async () => {
    const { squadId, owner } = await aStaffedSquad(squad, 'PUBLIC');
    expect(codeOf(await transferOwnership(squad, owner, squadId, (await aUser(squad)).id))).toBe(
      'NOT_FOUND',
    );
    expect(codeOf(await transferOwnership(squad, owner, squadId, owner.id))).toBe('CONFLICT');
    expect((await rolesIn(owner, squadId)).owner).toBe(owner.id);
  });

  it('when two hand-overs race, then exactly one wins and the squad has one owner', async () => {
    const { squadId, owner, admin, member } = await aStaffedSquad(squad, 'PUBLIC');
    const results = await Promise.all(
      [admin, member].map((heir) => transferOwnership(squad, owner, squadId, heir.id)),
    );
    expect(results.filter((result) => !result.errors)).toHaveLength(1);
    const { roles } = await rolesIn(owner, squadId);
    expect(Object.values(roles).filter((role) => role === 'OWNER')).toHaveLength(1);
  });
});
