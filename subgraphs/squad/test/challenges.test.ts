import { randomUUID } from 'node:crypto';
import {
  aChallenge,
  aMember,
  aSquad,
  aStaffedSquad,
  aUser,
  CHALLENGE_FIELDS,
  createChallenge,
  dataOf,
  daysFromNow,
  leaderboardOf,
  squadFeed,
  type TestUser,
} from './factories';
import { codeOf, startTestSquad, type TestSquad } from './harness';

let squad: TestSquad;
beforeAll(async () => {
  squad = await startTestSquad();
});
afterAll(() => squad.stop());

const HOUR_MS = 3_600_000;
const hoursAgo = (hours: number) => new Date(Date.now() - hours * HOUR_MS);

const record = (
  user: TestUser,
  amount: number,
  occurredAt = new Date(),
  metric: 'TOTAL_VOLUME_KG' | 'SESSIONS' | 'CHECK_INS' = 'TOTAL_VOLUME_KG',
) => squad.server.progress.record({ userId: user.id, metric, amount, occurredAt });

describe('creating a challenge', () => {
  it.each(['owner', 'admin'] as const)(
    'when its %s creates one, then it runs in the squad and the feed says so',
    async (who) => {
      const staffed = await aStaffedSquad(squad, 'PUBLIC');
      const challenge = dataOf(
        await createChallenge(squad, staffed[who], staffed.squadId, {
          title: 'Check in 12 times',
          metric: 'CHECK_INS',
          goal: 12,
        }),
      );
      expect(challenge).toMatchObject({
        title: 'Check in 12 times',
        metric: 'CHECK_INS',
        goal: 12,
        status: 'RUNNING',
        squad: { id: staffed.squadId },
        createdBy: { id: staffed[who].id },
      });
      const [entry] = dataOf(await squadFeed(squad, staffed.member, staffed.squadId)).edges;
      expect(entry.node).toMatchObject({
        kind: 'CHALLENGE_CREATED',
        actor: { id: staffed[who].id },
        challenge: { id: challenge.id },
      });
    },
  );

  it('when a plain MEMBER, an outsider or an admin of FitNexa creates one, then it is FORBIDDEN', async () => {
    const { squadId, member } = await aStaffedSquad(squad, 'PUBLIC');
    for (const user of [member, await aUser(squad), await aUser(squad, 'ADMIN')]) {
      expect(codeOf(await createChallenge(squad, user, squadId))).toBe('FORBIDDEN');
    }
  });

  it.each([
    ['a blank title', { title: ' ' }, 'title'],
    ['a goal of 0', { goal: 0 }, 'goal'],
    ['a fractional goal of sessions', { metric: 'SESSIONS', goal: 2.5 }, 'goal'],
    ['an end before its start', { endsAt: daysFromNow(-2).toISOString() }, 'endsAt'],
    [
      'an end in the past',
      { startsAt: daysFromNow(-9).toISOString(), endsAt: daysFromNow(-1).toISOString() },
      'endsAt',
    ],
    ['a period of 367 days', { endsAt: daysFromNow(366).toISOString() }, 'endsAt'],
  ])(
    'when the input has %s, then it is BAD_USER_INPUT naming the field',
    async (_, input, field) => {
      const owner = await aUser(squad);
      const { id } = await aSquad(squad, owner);
      const result = await createChallenge(squad, owner, id, input);
      expect(codeOf(result)).toBe('BAD_USER_INPUT');
      expect((result.errors![0]!.extensions as any).problems[0].field).toBe(field);
    },
  );

  it('when a squad has many, then its challenges are listed newest first, page by page, each with its status', async () => {
    const owner = await aUser(squad);
    const { id } = await aSquad(squad, owner);
    const upcoming = await aChallenge(squad, owner, id, {
      startsAt: daysFromNow(2).toISOString(),
      endsAt: daysFromNow(9).toISOString(),
    });
    const running = await aChallenge(squad, owner, id);
    const page = async (after?: string) =>
      dataOf(
        await squad.graphql(
          `query L($id: ID!, $after: String) { squad(id: $id) { challenges(first: 1, after: $after) { edges { node { ${CHALLENGE_FIELDS} } } pageInfo { hasNextPage endCursor } } } }`,
          { id, after },
          owner.token,
        ),
      ).challenges;
    const first = await page();
    expect(first.edges.map((edge: any) => [edge.node.id, edge.node.status])).toEqual([
      [running.id, 'RUNNING'],
    ]);
    const second = await page(first.pageInfo.endCursor);
    expect(second.edges.map((edge: any) => [edge.node.id, edge.node.status])).toEqual([
      [upcoming.id, 'UPCOMING'],
    ]);
    expect(second.pageInfo.hasNextPage).toBe(false);
  });
});

describe('progress in challenges', () => {
  it('when members make progress, then the leaderboard ranks them by progress, equal progress by who got there first, and the idle last', async () => {
    const { squadId, owner, admin, member } = await aStaffedSquad(squad, 'PUBLIC');
    const idle = await aMember(squad, squadId, owner);
    const { id } = await aChallenge(squad, owner, squadId);

    await record(member, 500, hoursAgo(5));
    await record(admin, 300, hoursAgo(4));
    await record(owner, 400, hoursAgo(3));
    // The admin reaches 500 after the member did.
    const adminReached = hoursAgo(2);
    await record(admin, 200, adminReached);

    const board = await leaderboardOf(squad, idle, id);
    expect(board.map((entry: any) => [entry.rank, entry.user.id, entry.progress])).toEqual([
      [1, member.id, 500],
      [2, admin.id, 500],
      [3, owner.id, 400],
      [4, idle.id, 0],
    ]);
    expect(board[1].reachedAt).toBe(adminReached.toISOString());
    expect(board[3]).toMatchObject({ reachedAt: null, completedAt: null });
  });

  it('when a contribution reaches the goal, then the member completes the challenge once, and the feed tells progress and completion', async () => {
    const { squadId, owner, member } = await aStaffedSquad(squad, 'PUBLIC');
    const { id } = await aChallenge(squad, owner, squadId, { metric: 'SESSIONS', goal: 2 });

    expect(await record(member, 1, new Date(), 'SESSIONS')).toEqual([
      { challengeId: id, squadId, progress: 1, completed: false },
    ]);
    const reached = new Date();
    expect(await record(member, 1, reached, 'SESSIONS')).toEqual([
      { challengeId: id, squadId, progress: 2, completed: true },
    ]);
    expect(await record(member, 1, new Date(), 'SESSIONS')).toEqual([
      { challengeId: id, squadId, progress: 3, completed: false },
    ]);

    const [top] = await leaderboardOf(squad, owner, id);
    expect(top).toMatchObject({
      user: { id: member.id },
      progress: 3,
      completedAt: reached.toISOString(),
    });
    const feed = dataOf(await squadFeed(squad, owner, squadId, { first: 4 }));
    const entries = feed.edges.map((edge: any) => edge.node);
    expect(entries.filter((entry: any) => entry.kind === 'CHALLENGE_COMPLETED')).toHaveLength(1);
    expect(entries.filter((entry: any) => entry.kind === 'CHALLENGE_PROGRESS')).toHaveLength(3);
    expect(entries.find((entry: any) => entry.kind === 'CHALLENGE_COMPLETED')).toMatchObject({
      actor: { id: member.id },
      challenge: { id },
    });
  });

  it('when a contribution comes in, then it counts only towards running challenges of its metric in the squads of its user', async () => {
    const owner = await aUser(squad);
    const mine = await aSquad(squad, owner);
    const also = await aSquad(squad, owner, { name: 'Second squad' });
    const volume = await aChallenge(squad, owner, mine.id);
    const volumeToo = await aChallenge(squad, owner, also.id);
    const sessions = await aChallenge(squad, owner, mine.id, { metric: 'SESSIONS', goal: 10 });
    const later = await aChallenge(squad, owner, mine.id, {
      startsAt: daysFromNow(1).toISOString(),
      endsAt: daysFromNow(8).toISOString(),
    });
    const stranger = await aUser(squad);
    const theirs = await aSquad(squad, stranger);
    const notMine = await aChallenge(squad, stranger, theirs.id);

    const made = await record(owner, 1000);
    expect(made.map((entry) => entry.challengeId).sort()).toEqual([volume.id, volumeToo.id].sort());
    // Before the challenges began: nothing.
    expect(await record(owner, 1000, daysFromNow(-3))).toEqual([]);
    for (const { id } of [sessions, later, notMine]) {
      expect(
        (await leaderboardOf(squad, stranger, id)).every((entry) => entry.progress === 0),
      ).toBe(true);
    }
  });

  it('when the contribution is malformed, then it is refused as BAD_USER_INPUT', async () => {
    const user = await aUser(squad);
    await expect(record(user, -5)).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    await expect(
      squad.server.progress.record({
        userId: 'nobody',
        metric: 'SESSIONS',
        amount: 1,
        occurredAt: new Date(),
      }),
    ).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
  });

  it('when a leaderboard is asked for with a bad size, then it is BAD_USER_INPUT', async () => {
    const owner = await aUser(squad);
    const { id } = await aSquad(squad, owner);
    const challenge = await aChallenge(squad, owner, id);
    const result = await squad.graphql(
      'query L($id: ID!) { challenge(id: $id) { leaderboard(first: 0) { rank } } }',
      { id: challenge.id },
      owner.token,
    );
    expect(codeOf(result)).toBe('BAD_USER_INPUT');
  });

  it('when a challenge does not exist, then it is null', async () => {
    const result = await squad.graphql(
      'query C($id: ID!) { challenge(id: $id) { id } }',
      { id: randomUUID() },
      (await aUser(squad)).token,
    );
    expect(result).toEqual({ data: { challenge: null } });
  });
});
