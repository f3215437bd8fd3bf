// Revoked access tokens (deleted accounts, changed roles) are refused by the gateway and by every
// subgraph within a second, whether they were running at the time or not, RabbitMQ or not.
import { DEMO_PASSWORD, DEMO_USERS } from '@fitnexa/shared/types';
import { codeOf, startOwnRabbit, untilPasses, type OwnRabbit } from '@fitnexa/shared/testing';
import { closeRealtimeClients } from '@fitnexa/shared/testing/realtime';
import { createClient } from 'graphql-ws';
import { WebSocket } from 'ws';
import { aSquadOfTwo } from './factories';
import { SUBGRAPH_NAMES as SUBGRAPHS, type SubgraphName } from '../../scripts/lib/graph';
import { newMember, startGraph, type Graph, type SignedIn } from './support';

// What the requirement allows between a mutation's answer and every service refusing the token.
const WITHIN_A_SECOND = 1_000;

const DELETE = 'mutation D($p: String!) { deleteAccount(password: $p) }';
const SET_ROLE =
  'mutation R($id: ID!, $role: Role!) { setUserRole(userId: $id, role: $role) { id role } }';
const UPDATE_GYM =
  'mutation U($id: ID!, $input: UpdateGymInput!) { updateGym(id: $id, input: $input) { id name } }';
const LOGIN =
  'mutation L($input: LoginInput!) { login(input: $input) { accessToken refreshToken user { id } } }';

/** An operation each subgraph takes from a signed-in member; the first three would write rows. */
const DIRECT_OPERATIONS: Record<SubgraphName, (userId: string) => [string, object]> = {
  workout: () => ['mutation { startWorkoutSession { id } }', {}],
  squad: () => [
    'mutation C($input: CreateSquadInput!) { createSquad(input: $input) { id } }',
    { input: { name: 'Ghosts', visibility: 'PUBLIC' } },
  ],
  messaging: (userId) => [
    'mutation S($u: ID!) { startDirectConversation(userId: $u) { id } }',
    { u: userId },
  ],
  gym: () => ['{ __typename }', {}],
  identity: () => ['{ me { id } }', {}],
  observability: () => ['{ __typename }', {}],
};

/** The code a new graphql-ws connection with `token` is closed with, once it subscribes. */
async function closeCodeOf(url: string, query: string, variables: object, token: string) {
  const client = createClient({
    url: url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    retryAttempts: 0,
  });
  try {
    const closed = await new Promise<{ code: number }>((resolve) => {
      client.on('closed', (event) => resolve(event as { code: number }));
      // Accepted: no close code to wait for.
      client.on('connected', () => resolve({ code: 0 }));
      client.subscribe(
        { query, variables: { ...variables } },
        { next() {}, error() {}, complete() {} },
      );
    });
    return closed.code;
  } finally {
    await client.dispose();
  }
}

async function registered(graph: Graph) {
  const member = newMember();
  await graph.client().register(member);
  const session = await logIn(graph, member.email, member.password);
  return { ...member, ...session };
}

async function logIn(graph: Graph, email: string, password: string) {
  const { body } = await graph.post({ query: LOGIN, variables: { input: { email, password } } });
  const login = body.data.login;
  return { id: login.user.id as string, token: login.accessToken, refresh: login.refreshToken };
}

async function expectRefusedByGateway(graph: Graph, token: string) {
  const { status, body } = await graph.post(
    { query: '{ me { id } }' },
    { authorization: `Bearer ${token}` },
  );
  expect(status).toBe(401);
  expect(body.errors[0]).toMatchObject({
    message: expect.stringContaining('revoked'),
    extensions: { code: 'UNAUTHENTICATED' },
  });
}

async function expectRefusedBySubgraph(
  graph: Graph,
  name: SubgraphName,
  user: SignedIn,
  operation: 'read' | 'write',
) {
  const [query, variables] =
    operation === 'read' ? ['{ __typename }', {}] : DIRECT_OPERATIONS[name](user.id);
  const result = await graph.direct(name)(query, variables as Record<string, unknown>, user.token);
  expect({ name, code: codeOf(result), data: result.data ?? null }).toEqual({
    name,
    code: 'UNAUTHENTICATED',
    data: null,
  });
}

describe('revoking access tokens', () => {
  let graph: Graph;
  beforeAll(async () => {
    graph = await startGraph({ seedDemoData: true });
  }, 60_000);
  afterAll(() => graph?.stop());

  it('when an account is deleted, then its unexpired token is refused by the gateway and by every subgraph asked directly', async () => {
    const leaving = await registered(graph);
    // Seen (and remembered) by every service before the deletion.
    expect(await graph.as(leaving.token, '{ me { id } }')).toEqual({ me: { id: leaving.id } });
    for (const name of SUBGRAPHS) {
      const result = await graph.direct(name)('{ __typename }', {}, leaving.token);
      expect(result.errors).toBeUndefined();
    }

    await graph.as(leaving.token, DELETE, { p: leaving.password });

    // Writes too: one the token still makes inside the allowed second lands before the erasure,
    // which waits for the revocation to settle (decision 0040), and goes with the rest.
    await untilPasses(async () => {
      await expectRefusedByGateway(graph, leaving.token);
      for (const name of SUBGRAPHS) await expectRefusedBySubgraph(graph, name, leaving, 'write');
    }, WITHIN_A_SECOND);
    await untilPasses(async () => {
      expect(
        await graph.sql('workout', 'SELECT 1 FROM "WorkoutSession" WHERE "userId" = $1', [
          leaving.id,
        ]),
      ).toEqual([]);
    });
  });

  it("when a gym owner is demoted, then the old token's updateGym is refused, and a refreshed or new token works as MEMBER", async () => {
    const admin = await graph.logIn(DEMO_USERS.admin.email, DEMO_PASSWORD);
    const member = newMember();
    await graph.client().register(member);
    const first = await logIn(graph, member.email, member.password);
    await graph.as(admin.token, SET_ROLE, { id: first.id, role: 'GYM_OWNER' });
    const owner = await logIn(graph, member.email, member.password);
    const { createGym: gym } = await graph.as(
      owner.token,
      'mutation G($input: CreateGymInput!) { createGym(input: $input) { id } }',
      {
        input: { name: 'Iron Temple', address: 'Torstraße 1', location: { lat: 52.5, lng: 13.4 } },
      },
    );
    const rename = (token: string, name: string) =>
      graph.post(
        { query: UPDATE_GYM, variables: { id: gym.id, input: { name } } },
        { authorization: `Bearer ${token}` },
      );
    expect((await rename(owner.token, 'Still mine')).body.data.updateGym.name).toBe('Still mine');

    const { setUserRole } = await graph.as(admin.token, SET_ROLE, { id: owner.id, role: 'MEMBER' });
    expect(setUserRole.role).toBe('MEMBER');

    // Probed with reads: a write the old token still makes inside the allowed second would stick.
    await untilPasses(async () => {
      await expectRefusedByGateway(graph, owner.token);
      const direct = await graph.direct('gym')('{ __typename }', {}, owner.token);
      expect(codeOf(direct)).toBe('UNAUTHENTICATED');
    }, WITHIN_A_SECOND);
    const { status, body } = await rename(owner.token, 'Not any more');
    expect(status).toBe(401);
    expect(body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    const direct = await graph.direct('gym')(
      UPDATE_GYM,
      { id: gym.id, input: { name: 'Not any more' } },
      owner.token,
    );
    expect(codeOf(direct)).toBe('UNAUTHENTICATED');

    const { body: refreshed } = await graph.post({
      query: 'mutation F($t: String!) { refreshToken(refreshToken: $t) { accessToken } }',
      variables: { t: owner.refresh },
    });
    const relogged = await logIn(graph, member.email, member.password);
    for (const token of [refreshed.data.refreshToken.accessToken, relogged.token]) {
      expect(await graph.as(token, '{ me { role } }')).toEqual({ me: { role: 'MEMBER' } });
      const { body } = await rename(token, 'Not any more');
      expect(body.errors[0].extensions.code).toBe('FORBIDDEN');
    }
    const [stored] = await graph.sql('gym', 'SELECT name FROM "Gym" WHERE id = $1', [gym.id]);
    expect(stored.name).toBe('Still mine');
  });

  it("when a user's role changes, then graphql-ws refuses their old token: a new connection and the one already open are closed with 4403", async () => {
    const { alice, conversationId } = await aSquadOfTwo(graph);
    const admin = await graph.logIn(DEMO_USERS.admin.email, DEMO_PASSWORD);
    const query = 'subscription M($id: ID!) { messageAdded(conversationId: $id) { id } }';
    const url = graph.gateway.url;
    const hub = graph.subgraphs.messaging.hub;
    const client = createClient({
      url: url.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${alice.token}` },
      retryAttempts: 0,
    });
    const closedWith: number[] = [];
    client.on('closed', (event) => closedWith.push((event as { code: number }).code));
    try {
      const before = hub.subscriptionCount();
      client.subscribe(
        { query, variables: { id: conversationId } },
        { next() {}, error() {}, complete() {} },
      );
      await untilPasses(() => expect(hub.subscriptionCount()).toBeGreaterThan(before));

      await graph.as(admin.token, SET_ROLE, { id: alice.id, role: 'COACH' });

      // The gateway checks graphql-ws tokens as it checks HTTP ones: once HTTP refuses, so does it.
      await untilPasses(() => expectRefusedByGateway(graph, alice.token), WITHIN_A_SECOND);
      expect(await closeCodeOf(url, query, { id: conversationId }, alice.token)).toBe(4403);
      // Open connections are checked again every second.
      await untilPasses(() => expect(closedWith).toEqual([4403]), 3_000);
    } finally {
      await client.dispose();
      await closeRealtimeClients();
    }
  });

  it('when the gateway was down during the deletion and starts after it, then it refuses the token', async () => {
    const leaving = await registered(graph);
    await graph.gateway.stop();
    const deleted = await graph.direct('identity')(DELETE, { p: leaving.password }, leaving.token);
    expect(deleted.data).toEqual({ deleteAccount: true });

    await graph.restartGateway();

    await expectRefusedByGateway(graph, leaving.token);
  });

  it('when a subgraph is restarted after the deletion, then it refuses the token from its first request', async () => {
    const leaving = await registered(graph);
    await graph.stopSubgraph('workout');
    await graph.as(leaving.token, DELETE, { p: leaving.password });

    await graph.restartSubgraph('workout');

    await expectRefusedBySubgraph(graph, 'workout', leaving, 'write');
  });
});

describe('revoking access tokens while RabbitMQ is down', () => {
  let rabbit: OwnRabbit;
  let graph: Graph;
  beforeAll(async () => {
    rabbit = await startOwnRabbit();
    graph = await startGraph({ rabbitmqUrl: rabbit.url });
  }, 60_000);
  afterAll(async () => {
    await graph?.stop();
    await rabbit?.stop();
  });

  it('when an account is deleted with the broker away, then the gateway and the subgraphs still refuse its token', async () => {
    const leaving = await registered(graph);
    await rabbit.stopApp();
    try {
      await graph.as(leaving.token, DELETE, { p: leaving.password });

      await untilPasses(async () => {
        await expectRefusedByGateway(graph, leaving.token);
        for (const name of SUBGRAPHS) await expectRefusedBySubgraph(graph, name, leaving, 'read');
      }, WITHIN_A_SECOND);
      for (const name of SUBGRAPHS) await expectRefusedBySubgraph(graph, name, leaving, 'write');
    } finally {
      // The graph's test bus removes its exchanges and queues on the broker when it stops.
      await rabbit.startApp();
    }
  });
});
