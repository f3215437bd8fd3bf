// identity.user.deleted through the whole graph: every service erases or anonymizes the user, once,
// also when RabbitMQ is away while users are deleted.
import {
  capturingLogger,
  startOwnRabbit,
  untilPasses,
  type OwnRabbit,
} from '@fitnexa/shared/testing';
import type { SubgraphName } from '../../scripts/lib/graph';
import { aGymWithPlan, aSquad, joinSquad, send, squadChatOf } from './factories';
import { newMember, startGraph, type Graph, type SignedIn } from './support';

const PASSWORD = newMember().password;

const deleteAccount = (graph: Graph, user: SignedIn) =>
  graph.as(user.token, 'mutation D($p: String!) { deleteAccount(password: $p) }', {
    p: PASSWORD,
  });

/** A member with a membership, a check-in, a finished workout there, and a place in the squad. */
async function anActiveMember(
  graph: Graph,
  gym: { gymId: string; planId: string },
  squadId: string,
) {
  const member = await graph.signUp();
  await graph.as(member.token, 'mutation J($p: ID!) { joinGym(planId: $p) { id } }', {
    p: gym.planId,
  });
  await graph.as(member.token, 'mutation K($g: ID!) { checkIn(gymId: $g) { id } }', {
    g: gym.gymId,
  });
  const { startWorkoutSession: session } = await graph.as(
    member.token,
    'mutation W($g: ID) { startWorkoutSession(gymId: $g) { id } }',
    { g: gym.gymId },
  );
  await graph.as(
    member.token,
    'mutation C($s: ID!) { completeWorkoutSession(sessionId: $s) { id } }',
    {
      s: session.id,
    },
  );
  await joinSquad(graph, member, squadId);
  return member;
}

/** What each service still holds of the user (rows that name them). */
async function traces(graph: Graph, userId: string) {
  const count = async (service: SubgraphName, sql: string) =>
    Number((await graph.sql(service, sql, [userId]))[0].count);
  return {
    identity: await count('identity', 'SELECT count(*) FROM "User" WHERE "id" = $1'),
    activeMemberships: await count(
      'gym',
      `SELECT count(*) FROM "Membership" WHERE "userId" = $1 AND "status" <> 'CANCELLED'`,
    ),
    checkIns: await count('gym', 'SELECT count(*) FROM "CheckIn" WHERE "userId" = $1'),
    sessions: await count('workout', 'SELECT count(*) FROM "WorkoutSession" WHERE "userId" = $1'),
    squads: await count('squad', 'SELECT count(*) FROM "SquadMember" WHERE "userId" = $1'),
    ownedSquads: await count('squad', 'SELECT count(*) FROM "Squad" WHERE "ownerId" = $1'),
    chats: await count('messaging', 'SELECT count(*) FROM "Participant" WHERE "userId" = $1'),
    messages: await count(
      'messaging',
      'SELECT count(*) FROM "Message" WHERE "senderId" = $1 AND "body" IS NOT NULL',
    ),
  };
}

const NO_TRACES = {
  identity: 0,
  activeMemberships: 0,
  checkIns: 0,
  sessions: 0,
  squads: 0,
  ownedSquads: 0,
  chats: 0,
  messages: 0,
};

describe('erasing a deleted user across the graph', () => {
  let graph: Graph;
  beforeAll(async () => {
    graph = await startGraph({ seedDemoData: true });
  });
  afterAll(() => graph.stop());

  it('when a member who owns a squad, trains, holds a membership and chats deletes their account, then every service erases or anonymizes them, the others keep theirs, and the gateway refuses their token', async () => {
    const gym = await aGymWithPlan(graph);
    const founder = await graph.signUp();
    const squadId = await aSquad(graph, founder);
    const leaving = await anActiveMember(graph, gym, squadId);
    const staying = await anActiveMember(graph, gym, squadId);
    // The leaving member founded the squad: ownership must pass on, not vanish.
    await graph.as(
      founder.token,
      'mutation T($s: ID!, $u: ID!) { transferSquadOwnership(squadId: $s, userId: $u) { id } }',
      {
        s: squadId,
        u: leaving.id,
      },
    );
    await send(graph, leaving, await squadChatOf(graph, leaving, squadId), 'see you at 6');
    const { startDirectConversation: direct } = await graph.as(
      leaving.token,
      'mutation D($u: ID!) { startDirectConversation(userId: $u) { id } }',
      { u: staying.id },
    );
    await send(graph, leaving, direct.id, 'spot me?');
    expect(await traces(graph, leaving.id)).toMatchObject({
      identity: 1,
      sessions: 1,
      squads: 1,
      ownedSquads: 1,
      messages: 2,
    });
    const before = await traces(graph, staying.id);

    await deleteAccount(graph, leaving);
    // The token still has minutes to live; the gateway refuses it within a second (revocation store).
    await untilPasses(async () => {
      const again = await graph.post(
        { query: '{ me { id } }' },
        { authorization: `Bearer ${leaving.token}` },
      );
      expect(again.status).toBe(401);
      expect(again.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    });

    await untilPasses(
      async () => expect(await traces(graph, leaving.id)).toEqual(NO_TRACES),
      20_000,
    );
    expect(await traces(graph, staying.id)).toEqual(before);
    const { squad: after } = await graph.as(
      staying.token,
      'query Q($id: ID!) { squad(id: $id) { memberCount owner { id } } }',
      {
        id: squadId,
      },
    );
    // The longest-standing member left is the founder.
    expect(after).toEqual({ memberCount: 2, owner: { id: founder.id } });
    const { messages } = await graph.as(
      staying.token,
      'query C($id: ID!) { messages(conversationId: $id, last: 5) { edges { node { body } } } }',
      { id: direct.id },
    );
    expect(messages.edges.map((edge: any) => edge.node.body)).toEqual([null]);
  });
});

describe('deleting users while RabbitMQ is down', () => {
  const USERS = 50;
  let rabbit: OwnRabbit;
  let graph: Graph;
  const logs = Object.fromEntries(
    (['identity', 'gym', 'workout', 'squad', 'messaging'] as const).map((name) => [
      name,
      capturingLogger(name),
    ]),
  );
  beforeAll(async () => {
    rabbit = await startOwnRabbit();
    graph = await startGraph({
      rabbitmqUrl: rabbit.url,
      seedDemoData: true,
      loggers: Object.fromEntries(Object.entries(logs).map(([name, log]) => [name, log.logger])),
    });
  }, 60_000);
  afterAll(async () => {
    await graph?.stop();
    await rabbit?.stop();
  });

  it(`when ${USERS} users are deleted during a broker outage, then once it is back every cascade completes exactly once`, async () => {
    const gym = await aGymWithPlan(graph);
    const founder = await graph.signUp();
    const squadId = await aSquad(graph, founder);
    const members: SignedIn[] = [];
    for (let batch = 0; batch < USERS / 10; batch += 1) {
      members.push(
        ...(await Promise.all(
          Array.from({ length: 10 }, () => anActiveMember(graph, gym, squadId)),
        )),
      );
    }
    await untilPasses(async () => {
      const { squad } = await graph.as(
        founder.token,
        'query Q($id: ID!) { squad(id: $id) { memberCount } }',
        { id: squadId },
      );
      expect(squad.memberCount).toBe(USERS + 1);
    });

    await rabbit.stopApp();
    for (let batch = 0; batch < USERS / 10; batch += 1) {
      await Promise.all(
        members.slice(batch * 10, batch * 10 + 10).map((member) => deleteAccount(graph, member)),
      );
    }
    const waiting = await graph.sql(
      'identity',
      `SELECT count(*) FROM "OutboxEvent" WHERE "type" = 'identity.user.deleted' AND "publishedAt" IS NULL`,
    );
    expect(Number(waiting[0].count)).toBe(USERS);

    await rabbit.startApp();
    const back = Date.now();
    const processed = (service: SubgraphName, type: string) =>
      graph
        .sql(service, 'SELECT count(*) FROM "ProcessedEvent" WHERE "type" = $1', [type])
        .then((rows) => Number(rows[0].count));
    await untilPasses(async () => {
      for (const service of ['gym', 'workout', 'squad', 'messaging'] as const) {
        expect(await processed(service, 'identity.user.deleted')).toBe(USERS);
      }
      expect(await processed('messaging', 'squad.member.left')).toBe(USERS);
    }, 60_000);
    const completedInMs = Date.now() - back;

    for (const member of members) expect(await traces(graph, member.id)).toEqual(NO_TRACES);
    const { squad } = await graph.as(
      founder.token,
      'query Q($id: ID!) { squad(id: $id) { memberCount } }',
      { id: squadId },
    );
    expect(squad.memberCount).toBe(1);
    // Exactly once: each deletion was handled once per service (redeliveries were dropped as such).
    for (const service of ['gym', 'workout', 'squad', 'messaging'] as const) {
      const handled = logs[service]!.entries.filter(
        (entry) => entry.message === 'event handled' && entry.type === 'identity.user.deleted',
      );
      expect(new Set(handled.map((entry) => entry.eventId)).size).toBe(USERS);
      expect(handled).toHaveLength(USERS);
    }
    const dropped = Object.values(logs).flatMap((log) =>
      log.entries.filter((entry) => entry.message === 'event already handled; dropped'),
    ).length;
    console.info(
      `${USERS} cascades completed ${completedInMs} ms after RabbitMQ came back; ${dropped} redeliveries dropped`,
    );
  }, 180_000);
});
