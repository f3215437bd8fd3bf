import { randomUUID } from 'node:crypto';
import { EVENTS_EXCHANGE } from '@fitnexa/shared/events';
import {
  capturingLogger,
  gatewayCredentialHeaders,
  untilPasses,
  type CapturedEntry,
} from '@fitnexa/shared/testing';
import {
  publishEvent,
  recordEvents,
  startTestBus,
  type TestBus,
} from '@fitnexa/shared/testing/bus';
import type { FitnexaEvent } from '@fitnexa/shared/types';
import { DELETED_USER_ID } from '../src/domain/events';
import {
  aChallenge,
  aMember,
  aSquad,
  aUser,
  dataOf,
  feedKinds,
  inviteToSquad,
  leaderboardOf,
  LEADERBOARD_FIELDS,
  requestToJoin,
  setMemberRole,
  squadFeed,
  type TestUser,
} from './factories';
import { closeClients, startTestSquad, subscribe, type TestSquad } from './harness';

// squad on the real RabbitMQ (a namespace of the test's own) and PostgreSQL: the membership events
// it publishes, and the events it consumes.

let testBus: TestBus;
let squad: TestSquad;
let logs: CapturedEntry[];
let published: FitnexaEvent[];
beforeAll(async () => {
  testBus = startTestBus();
  const captured = capturingLogger('squad');
  logs = captured.entries;
  squad = await startTestSquad({ bus: testBus.bus, logger: captured.logger });
  published = await recordEvents(testBus.bus, ['squad.#']);
});
afterEach(() => closeClients());
afterAll(async () => {
  await squad.stop();
  await testBus.dispose();
});

/** A mutation as `user`, under the correlation id `correlationId`. */
async function mutateAs(user: TestUser, correlationId: string, query: string) {
  const response = await fetch(squad.server.url, {
    method: 'POST',
    headers: {
      ...(await gatewayCredentialHeaders('squad')),
      'content-type': 'application/json',
      authorization: `Bearer ${user.token}`,
      'x-correlation-id': correlationId,
    },
    body: JSON.stringify({ query }),
  });
  const result = await response.json();
  expect(result.errors).toBeUndefined();
  return result.data;
}

/** The membership events published about the squad, as [type, userId, correlationId]. */
const membershipEventsOf = (squadId: string) =>
  published
    .filter((event) => 'squadId' in event.data && event.data.squadId === squadId)
    .map((event) => [event.type, (event.data as { userId: string }).userId, event.correlationId]);

/** Waits until squad logged that it handled (or dropped, `duplicate`) the event. */
const handled = (eventId: string, duplicate = false) =>
  untilPasses(() =>
    expect(logs).toContainEqual(
      expect.objectContaining({
        eventId,
        message: duplicate ? 'event already handled; dropped' : 'event handled',
      }),
    ),
  );

describe('membership events', () => {
  it("when a member joins and then leaves a squad, then squad.member.joined and squad.member.left are published once each, with the request's correlation id", async () => {
    const owner = await aUser(squad);
    const { id: squadId } = await aSquad(squad, owner);
    const member = await aUser(squad);
    await mutateAs(member, 'join-1', `mutation { joinSquad(squadId: "${squadId}") { role } }`);
    await mutateAs(member, 'leave-1', `mutation { leaveSquad(squadId: "${squadId}") }`);

    const expected = [
      ['squad.member.joined', owner.id, expect.any(String)],
      ['squad.member.joined', member.id, 'join-1'],
      ['squad.member.left', member.id, 'leave-1'],
    ];
    await untilPasses(() => expect(membershipEventsOf(squadId)).toEqual(expected));
    await squad.server.outbox.drain();
    expect(membershipEventsOf(squadId)).toEqual(expected);
    const outbox = await squad.sql(
      `SELECT "type", "publishedAt" FROM "OutboxEvent" WHERE "data"->>'squadId' = $1`,
      [squadId],
    );
    expect(outbox).toHaveLength(3);
    expect(outbox.every((row) => row.publishedAt !== null)).toBe(true);
    expect(published.find((event) => event.data.userId === member.id)).toMatchObject({
      source: 'squad',
      data: { squadId, userId: member.id },
    });
  });

  it('when members join by invitation and by request and one is removed, then each change is published', async () => {
    const owner = await aUser(squad);
    const { id: squadId } = await aSquad(squad, owner, { visibility: 'PRIVATE' });
    const invited = await aMember(squad, squadId, owner);
    const requester = await aUser(squad);
    const request = dataOf(await requestToJoin(squad, requester, squadId));
    await mutateAs(
      owner,
      'approve-1',
      `mutation { approveJoinRequest(requestId: "${request.id}") { role } }`,
    );
    await mutateAs(
      owner,
      'remove-1',
      `mutation { removeMember(squadId: "${squadId}", userId: "${invited.id}") }`,
    );

    await untilPasses(() =>
      expect(membershipEventsOf(squadId)).toEqual([
        ['squad.member.joined', owner.id, expect.any(String)],
        ['squad.member.joined', invited.id, expect.any(String)],
        ['squad.member.joined', requester.id, 'approve-1'],
        ['squad.member.left', invited.id, 'remove-1'],
      ]),
    );
  });
});

describe('progress from workouts and check-ins', () => {
  const LEADERBOARD = `subscription L($challengeId: ID!) { challengeLeaderboard(challengeId: $challengeId) { ${LEADERBOARD_FIELDS} } }`;

  it('when workout.session.completed and gym.checkin.recorded arrive, then running challenges move, the leaderboard is published live and the feed shows it', async () => {
    const owner = await aUser(squad);
    const { id: squadId } = await aSquad(squad, owner);
    const member = await aMember(squad, squadId, owner);
    const volume = await aChallenge(squad, owner, squadId, { goal: 10_000 });
    const sessions = await aChallenge(squad, owner, squadId, { metric: 'SESSIONS', goal: 5 });
    const checkIns = await aChallenge(squad, owner, squadId, { metric: 'CHECK_INS', goal: 1 });
    const subscription = await subscribe(
      squad,
      LEADERBOARD,
      { challengeId: volume.id },
      owner.token,
    );

    const workout = await publishEvent(testBus.bus, 'workout', 'workout.session.completed', {
      sessionId: randomUUID(),
      userId: member.id,
      gymId: null,
      completedAt: new Date().toISOString(),
      totalVolumeKg: 2500,
    });
    const checkIn = await publishEvent(testBus.bus, 'gym', 'gym.checkin.recorded', {
      checkInId: randomUUID(),
      userId: member.id,
      gymId: randomUUID(),
      checkedInAt: new Date().toISOString(),
    });
    await handled(workout.id);
    await handled(checkIn.id);

    expect((await leaderboardOf(squad, owner, volume.id))[0]).toMatchObject({
      rank: 1,
      user: { id: member.id },
      progress: 2500,
    });
    expect((await leaderboardOf(squad, owner, sessions.id))[0]).toMatchObject({
      user: { id: member.id },
      progress: 1,
    });
    expect((await leaderboardOf(squad, owner, checkIns.id))[0]).toMatchObject({
      user: { id: member.id },
      progress: 1,
      completedAt: expect.any(String),
    });
    const [live] = await subscription.received(1);
    expect((live as any).data.challengeLeaderboard[0]).toMatchObject({
      user: { id: member.id },
      progress: 2500,
    });
    const feed = dataOf(await squadFeed(squad, owner, squadId, { first: 10 }));
    const progressOf = (challengeId: string) =>
      feed.edges
        .map((edge: any) => edge.node)
        .filter(
          (node: any) => node.challenge?.id === challengeId && node.kind !== 'CHALLENGE_CREATED',
        )
        .map((node: any) => [node.kind, node.actor.id, node.amount]);
    expect(progressOf(volume.id)).toEqual([['CHALLENGE_PROGRESS', member.id, 2500]]);
    expect(progressOf(checkIns.id)).toEqual(
      expect.arrayContaining([
        ['CHALLENGE_PROGRESS', member.id, 1],
        ['CHALLENGE_COMPLETED', member.id, null],
      ]),
    );
  });

  it('when the same workout is delivered twice, then it counts once', async () => {
    const owner = await aUser(squad);
    const { id: squadId } = await aSquad(squad, owner);
    const { id: challengeId } = await aChallenge(squad, owner, squadId);
    const workout = await publishEvent(testBus.bus, 'workout', 'workout.session.completed', {
      sessionId: randomUUID(),
      userId: owner.id,
      gymId: null,
      completedAt: new Date().toISOString(),
      totalVolumeKg: 1200,
    });
    await testBus.bus.publish(EVENTS_EXCHANGE, workout.type, workout, { messageId: workout.id });
    await handled(workout.id);
    await handled(workout.id, true);

    expect((await leaderboardOf(squad, owner, challengeId))[0]).toMatchObject({
      user: { id: owner.id },
      progress: 1200,
    });
    const kinds = await feedKinds(squad, owner, squadId);
    expect(kinds.filter((kind: string) => kind === 'CHALLENGE_PROGRESS')).toHaveLength(1);
  });
});

describe('a deleted user', () => {
  const ownerOf = async (viewer: TestUser, squadId: string) =>
    dataOf(
      await squad.graphql(
        'query S($id: ID!) { squad(id: $id) { owner { id } memberCount } }',
        { id: squadId },
        viewer.token,
      ),
    );

  it('when identity.user.deleted arrives for a squad owner, then ownership is handed on, they are out of every squad, squad.member.left went out and their traces are gone', async () => {
    const gone = await aUser(squad);
    // Staffed: a member who joined first, and an admin who joined after them; the admin takes over.
    const { id: staffed } = await aSquad(squad, gone, { name: 'Staffed' });
    const early = await aMember(squad, staffed, gone);
    const admin = await aMember(squad, staffed, gone);
    dataOf(await setMemberRole(squad, gone, staffed, admin.id, 'ADMIN'));
    // No admin: the longest-standing member takes over.
    const { id: plain } = await aSquad(squad, gone, { name: 'Plain' });
    const first = await aMember(squad, plain, gone);
    await aMember(squad, plain, gone);
    // Nobody else: the squad goes.
    const { id: lonely } = await aSquad(squad, gone, { name: 'Lonely' });
    // Someone else's, where they made progress, asked to join another and were invited to a third.
    const other = await aUser(squad);
    const { id: joined } = await aSquad(squad, other, { name: 'Joined' });
    await aMember(squad, joined, other);
    const { id: challengeId } = await aChallenge(squad, other, joined);
    await squad.graphql(`mutation { joinSquad(squadId: "${joined}") { role } }`, {}, gone.token);
    await squad.server.progress.record({
      userId: gone.id,
      metric: 'TOTAL_VOLUME_KG',
      amount: 500,
      occurredAt: new Date(),
    });
    const { id: closed } = await aSquad(squad, other, { visibility: 'PRIVATE', name: 'Closed' });
    dataOf(await requestToJoin(squad, gone, closed));
    const { id: inviting } = await aSquad(squad, other, { visibility: 'PRIVATE', name: 'Invites' });
    dataOf(await inviteToSquad(squad, other, inviting, gone.id));
    const invitee = await aUser(squad);
    dataOf(await inviteToSquad(squad, gone, staffed, invitee.id));

    const deleted = await publishEvent(testBus.bus, 'identity', 'identity.user.deleted', {
      userId: gone.id,
    });
    await handled(deleted.id);

    expect(await ownerOf(admin, staffed)).toEqual({ owner: { id: admin.id }, memberCount: 2 });
    expect(await ownerOf(first, plain)).toEqual({ owner: { id: first.id }, memberCount: 2 });
    expect(await ownerOf(other, lonely)).toBeNull();
    expect((await ownerOf(other, joined)).memberCount).toBe(2);
    expect(
      (await leaderboardOf(squad, other, challengeId)).map((entry) => entry.user.id),
    ).not.toContain(gone.id);
    await untilPasses(() =>
      expect(
        published
          .flatMap((event) =>
            event.type === 'squad.member.left' && event.data.userId === gone.id
              ? [event.data.squadId]
              : [],
          )
          .sort(),
      ).toEqual([staffed, plain, lonely, joined].sort()),
    );
    expect(
      published.find(
        (event) => event.data.userId === gone.id && event.type === 'squad.member.left',
      ),
    ).toMatchObject({
      correlationId: deleted.correlationId ?? deleted.id,
      data: { userDeleted: true },
    });
    for (const table of ['SquadMember', 'ChallengeProgress', 'JoinRequest', 'SquadInvitation']) {
      expect(await squad.sql(`SELECT 1 FROM "${table}" WHERE "userId" = $1`, [gone.id])).toEqual(
        [],
      );
    }
    expect(
      await squad.sql(
        `SELECT 1 FROM "SquadActivity" WHERE $1 IN ("actorId", "subjectId")
         UNION ALL SELECT 1 FROM "Squad" WHERE "ownerId" = $1
         UNION ALL SELECT 1 FROM "Challenge" WHERE "createdById" = $1
         UNION ALL SELECT 1 FROM "SquadInvitation" WHERE "invitedById" = $1`,
        [gone.id],
      ),
    ).toEqual([]);
    // What they did stays, by nobody in particular; the handover and their leaving are in the feed.
    const feed = dataOf(await squadFeed(squad, admin, staffed, { first: 20 })).edges.map(
      (edge: any) => [edge.node.kind, edge.node.actor.id, edge.node.subject?.id ?? null],
    );
    expect(feed).toEqual(
      expect.arrayContaining([
        ['OWNERSHIP_TRANSFERRED', DELETED_USER_ID, admin.id],
        ['MEMBER_LEFT', DELETED_USER_ID, null],
        ['SQUAD_CREATED', DELETED_USER_ID, null],
        ['MEMBER_JOINED', early.id, null],
      ]),
    );
    const invitations = dataOf(
      await squad.graphql(
        'query { mySquadInvitations { squad { id } invitedBy { id } } }',
        {},
        invitee.token,
      ),
    );
    // The invitation they sent stays open, from nobody in particular.
    expect(invitations).toEqual([{ squad: { id: staffed }, invitedBy: { id: DELETED_USER_ID } }]);
  });
});
