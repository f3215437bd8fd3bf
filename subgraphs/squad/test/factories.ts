import { entityFields, aUser, dataOf, type TestUser } from '@fitnexa/shared/testing';
import type { Role } from '@fitnexa/shared/types';
import type { GraphQLResult, TestSquad } from './harness';

// Small factories over the public API: test data is made the way clients make it.

export { aUser, dataOf, type TestUser };

export const SQUAD_FIELDS =
  'id name description visibility homeGym { id } owner { id } createdAt memberCount myRole';

export function createSquad(
  squad: TestSquad,
  user: TestUser | undefined,
  input: Record<string, unknown> = {},
): Promise<GraphQLResult> {
  return squad.graphql(
    `mutation C($input: CreateSquadInput!) { createSquad(input: $input) { ${SQUAD_FIELDS} } }`,
    { input: { name: 'Iron Crew', visibility: 'PUBLIC', ...input } },
    user?.token,
  );
}

export async function aSquad(
  squad: TestSquad,
  owner: TestUser,
  input: Record<string, unknown> = {},
): Promise<{ id: string; name: string }> {
  return dataOf(await createSquad(squad, owner, input));
}

/** Calls one mutation by name with its arguments, as `user`. */
export function mutate(
  squad: TestSquad,
  user: TestUser | undefined,
  mutation: string,
  args: Record<string, { type: string; value: unknown }>,
  selection = '',
): Promise<GraphQLResult> {
  const entries = Object.entries(args);
  const declared = entries.map(([name, { type }]) => `$${name}: ${type}`).join(', ');
  const passed = entries.map(([name]) => `${name}: $${name}`).join(', ');
  return squad.graphql(
    `mutation M(${declared}) { ${mutation}(${passed}) ${selection ? `{ ${selection} }` : ''} }`,
    Object.fromEntries(entries.map(([name, { value }]) => [name, value])),
    user?.token,
  );
}

const id = (value: string) => ({ type: 'ID!', value });

export const joinSquad = (squad: TestSquad, user: TestUser | undefined, squadId: string) =>
  mutate(squad, user, 'joinSquad', { squadId: id(squadId) }, 'role joinedAt user { id }');

export const requestToJoin = (squad: TestSquad, user: TestUser | undefined, squadId: string) =>
  mutate(squad, user, 'requestToJoin', { squadId: id(squadId) }, 'id user { id } squad { id }');

export const approveJoinRequest = (
  squad: TestSquad,
  user: TestUser | undefined,
  requestId: string,
) => mutate(squad, user, 'approveJoinRequest', { requestId: id(requestId) }, 'role user { id }');

export const declineJoinRequest = (
  squad: TestSquad,
  user: TestUser | undefined,
  requestId: string,
) => mutate(squad, user, 'declineJoinRequest', { requestId: id(requestId) });

export const inviteToSquad = (
  squad: TestSquad,
  user: TestUser | undefined,
  squadId: string,
  userId: string,
) =>
  mutate(
    squad,
    user,
    'inviteToSquad',
    { squadId: id(squadId), userId: id(userId) },
    'id squad { id name } invitedBy { id }',
  );

export const acceptInvitation = (
  squad: TestSquad,
  user: TestUser | undefined,
  invitationId: string,
) =>
  mutate(squad, user, 'acceptInvitation', { invitationId: id(invitationId) }, 'role user { id }');

export const leaveSquad = (squad: TestSquad, user: TestUser | undefined, squadId: string) =>
  mutate(squad, user, 'leaveSquad', { squadId: id(squadId) });

export const removeMember = (
  squad: TestSquad,
  user: TestUser | undefined,
  squadId: string,
  userId: string,
) => mutate(squad, user, 'removeMember', { squadId: id(squadId), userId: id(userId) });

export const setMemberRole = (
  squad: TestSquad,
  user: TestUser | undefined,
  squadId: string,
  userId: string,
  role: string,
) =>
  mutate(
    squad,
    user,
    'setMemberRole',
    { squadId: id(squadId), userId: id(userId), role: { type: 'SquadRole!', value: role } },
    'role user { id }',
  );

export const transferOwnership = (
  squad: TestSquad,
  user: TestUser | undefined,
  squadId: string,
  userId: string,
) =>
  mutate(
    squad,
    user,
    'transferSquadOwnership',
    { squadId: id(squadId), userId: id(userId) },
    'owner { id } myRole',
  );

/** A user who joined the squad: directly when it is PUBLIC, invited by `owner` when PRIVATE. */
export async function aMember(
  squad: TestSquad,
  squadId: string,
  owner: TestUser,
  role: Role = 'MEMBER',
): Promise<TestUser> {
  const member = await aUser(squad, role);
  const { visibility } = dataOf(
    await squad.graphql(
      'query S($id: ID!) { squad(id: $id) { visibility } }',
      { id: squadId },
      owner.token,
    ),
  );
  if (visibility === 'PUBLIC') {
    dataOf(await joinSquad(squad, member, squadId));
  } else {
    const invitation = dataOf(await inviteToSquad(squad, owner, squadId, member.id));
    dataOf(await acceptInvitation(squad, member, invitation.id));
  }
  return member;
}

/** A squad of `visibility` with an OWNER, an ADMIN and a MEMBER. */
export async function aStaffedSquad(squad: TestSquad, visibility: 'PUBLIC' | 'PRIVATE') {
  const owner = await aUser(squad);
  const created = await aSquad(squad, owner, { visibility });
  const admin = await aMember(squad, created.id, owner);
  dataOf(await setMemberRole(squad, owner, created.id, admin.id, 'ADMIN'));
  const member = await aMember(squad, created.id, owner);
  return { squadId: created.id, owner, admin, member };
}

export const DAY_MS = 86_400_000;
export const daysFromNow = (days: number) => new Date(Date.now() + days * DAY_MS);

export const CHALLENGE_FIELDS =
  'id title metric goal startsAt endsAt status squad { id } createdBy { id }';

export function createChallenge(
  squad: TestSquad,
  user: TestUser | undefined,
  squadId: string,
  input: Record<string, unknown> = {},
): Promise<GraphQLResult> {
  return squad.graphql(
    `mutation C($input: CreateChallengeInput!) { createChallenge(input: $input) { ${CHALLENGE_FIELDS} } }`,
    {
      input: {
        squadId,
        title: 'Ten tonnes',
        metric: 'TOTAL_VOLUME_KG',
        goal: 10_000,
        startsAt: daysFromNow(-1).toISOString(),
        endsAt: daysFromNow(13).toISOString(),
        ...input,
      },
    },
    user?.token,
  );
}

export async function aChallenge(
  squad: TestSquad,
  user: TestUser,
  squadId: string,
  input: Record<string, unknown> = {},
): Promise<{ id: string }> {
  return dataOf(await createChallenge(squad, user, squadId, input));
}

export const LEADERBOARD_FIELDS = 'rank user { id } progress reachedAt completedAt';

export async function leaderboardOf(
  squad: TestSquad,
  user: TestUser,
  challengeId: string,
): Promise<any[]> {
  const challenge = dataOf(
    await squad.graphql(
      `query L($id: ID!) { challenge(id: $id) { leaderboard { ${LEADERBOARD_FIELDS} } } }`,
      { id: challengeId },
      user.token,
    ),
  );
  return challenge.leaderboard;
}

export const ACTIVITY_FIELDS =
  'id kind actor { id } subject { id } challenge { id } amount role createdAt';

export function squadFeed(
  squad: TestSquad,
  user: TestUser | undefined,
  squadId: string,
  args: { first?: number; after?: string } = {},
): Promise<GraphQLResult> {
  return squad.graphql(
    `query F($squadId: ID!, $first: Int, $after: String) {
       squadFeed(squadId: $squadId, first: $first, after: $after) {
         edges { cursor node { ${ACTIVITY_FIELDS} } } pageInfo { hasNextPage endCursor }
       }
     }`,
    { squadId, ...args },
    user?.token,
  );
}

/** The kinds of the squad's feed entries, newest first. */
export async function feedKinds(squad: TestSquad, user: TestUser, squadId: string) {
  const feed = dataOf(await squadFeed(squad, user, squadId, { first: 100 }));
  return feed.edges.map((edge: any) => edge.node.kind);
}

/** Squad fields as another subgraph (or the gateway) asks for them: through `_entities`. */
export function entities(
  squad: TestSquad,
  typename: 'User' | 'Squad',
  ids: string[],
  selection: string,
  token?: string,
): Promise<GraphQLResult> {
  return entityFields(squad.graphql, typename, ids, selection, { token });
}
