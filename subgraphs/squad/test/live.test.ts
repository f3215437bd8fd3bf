import { randomUUID } from 'node:crypto';
import {
  aChallenge,
  aMember,
  aSquad,
  aStaffedSquad,
  aUser,
  ACTIVITY_FIELDS,
  dataOf,
  joinSquad,
  LEADERBOARD_FIELDS,
  removeMember,
  SQUAD_FIELDS,
  type TestUser,
} from './factories';
import {
  closeClients,
  collect,
  emitWithAck,
  eventually,
  squadSocket,
  startTestSquad,
  subscribe,
  whenLive,
  type TestSquad,
} from './harness';

let squad: TestSquad;
beforeAll(async () => {
  squad = await startTestSquad();
});
afterEach(() => closeClients());
afterAll(() => squad.stop());

const ACTIVITY = `subscription A($squadId: ID!) { squadActivity(squadId: $squadId) { ${ACTIVITY_FIELDS} } }`;
const LEADERBOARD = `subscription L($challengeId: ID!) { challengeLeaderboard(challengeId: $challengeId) { ${LEADERBOARD_FIELDS} } }`;

/** An edit of the squad: a feed entry (SQUAD_UPDATED) that changes nothing else. */
const touch = (owner: TestUser, squadId: string) =>
  squad.graphql(
    `mutation U($id: ID!) { updateSquad(id: $id, input: { description: "${randomUUID()}" }) { ${SQUAD_FIELDS} } }`,
    { id: squadId },
    owner.token,
  );

const settle = () => new Promise((resolve) => setTimeout(resolve, 300));

describe('the live feed', () => {
  it('when a member joins, then one feed entry reaches both a graphql-ws subscriber and a socket.io client', async () => {
    const owner = await aUser(squad);
    const { id: squadId } = await aSquad(squad, owner);
    const watcher = await aMember(squad, squadId, owner);

    const subscription = await subscribe(squad, ACTIVITY, { squadId }, owner.token);
    await whenLive(subscription, () => touch(owner, squadId));
    const socket = await squadSocket(squad, watcher.token);
    expect(await emitWithAck(socket, 'squad:join', { squadId })).toEqual({ data: true });
    const received = collect(socket, 'squad:activity');

    const joiner = await aUser(squad);
    dataOf(await joinSquad(squad, joiner, squadId));

    await eventually(() => received.length >= 1, 'the socket.io event');
    await subscription.received(1);
    await settle();
    expect(subscription.results).toEqual([
      {
        data: {
          squadActivity: expect.objectContaining({
            kind: 'MEMBER_JOINED',
            actor: { id: joiner.id },
          }),
        },
      },
    ]);
    const [entry] = subscription.results.map((result: any) => result.data.squadActivity);
    expect(received).toEqual([
      {
        id: entry.id,
        squadId,
        kind: 'MEMBER_JOINED',
        actorId: joiner.id,
        subjectId: null,
        challengeId: null,
        amount: null,
        role: null,
        createdAt: entry.createdAt,
      },
    ]);
  });

  it('when a client leaves the room, then the socket receives no more of its events', async () => {
    const owner = await aUser(squad);
    const { id: squadId } = await aSquad(squad, owner);
    const socket = await squadSocket(squad, owner.token);
    await emitWithAck(socket, 'squad:join', { squadId });
    const received = collect(socket, 'squad:activity');
    dataOf(await touch(owner, squadId));
    await eventually(() => received.length === 1, 'the first event');
    expect(await emitWithAck(socket, 'squad:leave', { squadId })).toEqual({ data: true });
    dataOf(await touch(owner, squadId));
    await settle();
    expect(received).toHaveLength(1);
  });
});

describe('the live leaderboard', () => {
  it('when progress is made, then subscribers and socket.io clients get the new leaderboard', async () => {
    const { squadId, owner, member } = await aStaffedSquad(squad, 'PRIVATE');
    const { id: challengeId } = await aChallenge(squad, owner, squadId);
    const other = await aChallenge(squad, owner, squadId, { metric: 'SESSIONS', goal: 5 });

    const subscription = await subscribe(squad, LEADERBOARD, { challengeId }, member.token);
    await whenLive(subscription, () =>
      squad.server.progress.record({
        userId: owner.id,
        metric: 'TOTAL_VOLUME_KG',
        amount: 1,
        occurredAt: new Date(),
      }),
    );
    const socket = await squadSocket(squad, member.token);
    await emitWithAck(socket, 'squad:join', { squadId });
    const boards = collect(socket, 'challenge:leaderboard');

    // Progress in another challenge of the squad is not this subscription's.
    await squad.server.progress.record({
      userId: member.id,
      metric: 'SESSIONS',
      amount: 1,
      occurredAt: new Date(),
    });
    await squad.server.progress.record({
      userId: member.id,
      metric: 'TOTAL_VOLUME_KG',
      amount: 2500,
      occurredAt: new Date(),
    });

    const [result] = await subscription.received(1);
    const board = (result as any).data.challengeLeaderboard;
    expect(board[0]).toMatchObject({ rank: 1, user: { id: member.id }, progress: 2500 });
    expect(board.map((entry: any) => entry.rank)).toEqual([1, 2, 3]);
    await eventually(() => boards.length === 2, 'both socket.io leaderboards');
    expect(boards.map((update) => update.challengeId)).toEqual([other.id, challengeId]);
    expect(boards[1].entries[0]).toMatchObject({ rank: 1, userId: member.id, progress: 2500 });
    await settle();
    expect(subscription.results).toHaveLength(1);
  });
});

describe('who may follow a squad live', () => {
  it('when an outsider subscribes to a PRIVATE squad, its challenge or a squad that does not exist, then it is FORBIDDEN at once', async () => {
    const { squadId, owner } = await aStaffedSquad(squad, 'PRIVATE');
    const { id: challengeId } = await aChallenge(squad, owner, squadId);
    const outsider = await aUser(squad);
    for (const [query, variables] of [
      [ACTIVITY, { squadId }],
      [ACTIVITY, { squadId: randomUUID() }],
      [LEADERBOARD, { challengeId }],
    ] as const) {
      const subscription = await subscribe(squad, query, variables, outsider.token);
      await subscription.completed;
      expect(subscription.results).toEqual([
        expect.objectContaining({
          errors: [expect.objectContaining({ extensions: { code: 'FORBIDDEN' } })],
        }),
      ]);
    }
  });

  it('when nobody is signed in, then a subscription is UNAUTHENTICATED, and a socket.io connection refused', async () => {
    const owner = await aUser(squad);
    const { id: squadId } = await aSquad(squad, owner);
    const subscription = await subscribe(squad, ACTIVITY, { squadId });
    await subscription.completed;
    expect(subscription.results[0]!.errors![0]!.extensions).toEqual({ code: 'UNAUTHENTICATED' });
    await expect(squadSocket(squad)).rejects.toMatchObject({ message: 'UNAUTHENTICATED' });
    await expect(squadSocket(squad, 'not-a-token')).rejects.toMatchObject({
      message: 'UNAUTHENTICATED',
    });
  });

  it('when an outsider joins the room of a PRIVATE squad, then it is FORBIDDEN and they receive nothing', async () => {
    const { squadId, owner } = await aStaffedSquad(squad, 'PRIVATE');
    const socket = await squadSocket(squad, (await aUser(squad)).token);
    const received = collect(socket, 'squad:activity');
    expect(await emitWithAck(socket, 'squad:join', { squadId })).toEqual({
      error: { code: 'FORBIDDEN', message: expect.any(String) },
    });
    expect(await emitWithAck(socket, 'squad:join', { squadId: randomUUID() })).toMatchObject({
      error: { code: 'FORBIDDEN' },
    });
    expect(await emitWithAck(socket, 'squad:join', { room: squadId })).toMatchObject({
      error: { code: 'BAD_USER_INPUT' },
    });
    dataOf(await touch(owner, squadId));
    await settle();
    expect(received).toEqual([]);
  });

  it('when a member is removed from a PRIVATE squad, then their subscription ends and their socket gets nothing more', async () => {
    const { squadId, owner, member } = await aStaffedSquad(squad, 'PRIVATE');
    const subscription = await subscribe(squad, ACTIVITY, { squadId }, member.token);
    await whenLive(subscription, () => touch(owner, squadId));
    const socket = await squadSocket(squad, member.token);
    await emitWithAck(socket, 'squad:join', { squadId });
    const received = collect(socket, 'squad:activity');

    dataOf(await removeMember(squad, owner, squadId, member.id));
    await subscription.completed;
    await eventually(() => received.length === 1, 'the removal');
    expect(received[0]).toMatchObject({ kind: 'MEMBER_REMOVED', subjectId: member.id });
    dataOf(await touch(owner, squadId));
    await settle();
    expect(received).toHaveLength(1);
  });

  it('when a PUBLIC squad is made PRIVATE, then outsiders following it are cut off and members are not', async () => {
    const { squadId, owner, member } = await aStaffedSquad(squad, 'PUBLIC');
    const outsider = await aUser(squad);
    const subscriptions = await Promise.all(
      [outsider, member].map((user) => subscribe(squad, ACTIVITY, { squadId }, user.token)),
    );
    for (const subscription of subscriptions) {
      await whenLive(subscription, () => touch(owner, squadId));
    }
    const sockets = await Promise.all(
      [outsider, member].map((user) => squadSocket(squad, user.token)),
    );
    for (const socket of sockets) await emitWithAck(socket, 'squad:join', { squadId });
    const received = sockets.map((socket) => collect(socket, 'squad:activity'));

    dataOf(
      await squad.graphql(
        'mutation U($id: ID!) { updateSquad(id: $id, input: { visibility: PRIVATE }) { id } }',
        { id: squadId },
        owner.token,
      ),
    );
    await subscriptions[0]!.completed;
    dataOf(await touch(owner, squadId));
    await subscriptions[1]!.received(2);
    await eventually(() => received[1]!.length === 2, 'both edits on the member socket');
    await settle();
    expect(received[0]!.map((event) => event.kind)).toEqual(['SQUAD_UPDATED']);
  });
});
