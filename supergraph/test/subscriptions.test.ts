import { createServer, type Server } from 'node:http';
import { createServiceTokenVerifier, SERVICE_TOKEN_HEADER } from '@fitnexa/shared/auth';
import { TokenRevokedError } from '@fitnexa/shared/auth/revocations';
import { ForbiddenError } from '@fitnexa/shared/errors';
import { testTokenIssuer, TEST_SERVICE_TOKEN_SECRET } from '@fitnexa/shared/testing';
import { CALLERS_PARAM, CALLERS_PER_SUBSCRIPTION, nextToManyFrame } from '@fitnexa/shared/realtime';
import { eventually } from '@fitnexa/shared/testing/realtime';
import { type ExecutionArgs, type ExecutionResult, type GraphQLFormattedError } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import { WebSocket, type WebSocketServer } from 'ws';
import { type GatewayServer } from '../src';
import { everySubgraphAt, serveStubSubscriptions, startTestGateway } from './kit';

// The gateway's graphql-ws server against one stub standing in for every subgraph: its graphql-ws
// side hands each upstream subscription to the test, which pushes events; its HTTP side answers
// entity fetches and counts them.

interface Upstream {
  query: string;
  variables: Record<string, unknown>;
  /** The upstream connection's, shared by the gateway's callers. */
  connectionParams: Record<string, unknown>;
  /** The subscription's caller, as the gateway names it in the subscription's `extensions`. */
  caller: Record<string, unknown>;
  /** Its graphql-ws id on the upstream connection. */
  id: string;
  /** The stub's end of the upstream connection. */
  socket: WebSocket;
  push(result: ExecutionResult): void;
  /** The subgraph ends the subscription (e.g. the caller left the conversation). */
  end(): void;
  /** The subgraph ends the subscription with an error (e.g. it refused the caller's token). */
  fail(error: Error): void;
  closed: boolean;
}

let stub: Server;
let stubWs: WebSocketServer;
let upstreams: Upstream[] = [];
let entityFetches: { representations: { __typename: string; id: string }[] }[] = [];
/** The authorization header of every entity fetch, in order. */
let entityCallers: string[] = [];
/** The service credential of every entity fetch, in order. */
let entityCredentials: string[] = [];
let gateway: GatewayServer;
let issuer: Awaited<ReturnType<typeof testTokenIssuer>>;
let token: string;
let otherToken: string;
/** Tokens the gateway's verifier refuses as revoked (as identity's revocation would make it). */
const revoked = new Set<string>();

/** The stub's graphql-ws: every subscription stays open, fed by the test through `push`. */
function upstreamSubscription(args: ExecutionArgs): AsyncIterableIterator<ExecutionResult> {
  const pending: ExecutionResult[] = [];
  let wake: (() => void) | undefined;
  const upstream: Upstream = {
    ...(args.contextValue as Pick<
      Upstream,
      'query' | 'variables' | 'connectionParams' | 'caller' | 'id' | 'socket'
    >),
    closed: false,
    push(result) {
      pending.push(result);
      wake?.();
    },
    end() {
      upstream.closed = true;
      wake?.();
    },
    fail(error) {
      failure = error;
      wake?.();
    },
  };
  let failure: Error | undefined;
  upstreams.push(upstream);
  const iterator: AsyncIterableIterator<ExecutionResult> = {
    async next() {
      while (!pending.length && !upstream.closed && !failure) {
        await new Promise<void>((r) => (wake = r));
      }
      if (failure) throw failure;
      return upstream.closed
        ? { done: true, value: undefined }
        : { done: false, value: pending.shift()! };
    },
    async return() {
      upstream.closed = true;
      wake?.();
      return { done: true, value: undefined };
    },
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}

async function startStub() {
  stub = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const { variables } = JSON.parse(body) as {
        variables: { representations: { __typename: string; id: string }[] };
      };
      entityFetches.push({ representations: variables.representations });
      entityCallers.push(req.headers.authorization ?? '');
      entityCredentials.push(String(req.headers[SERVICE_TOKEN_HEADER] ?? ''));
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          data: {
            _entities: variables.representations.map(({ id }) => ({
              __typename: 'User',
              displayName: `Name of ${id}`,
              // What identity answers depends on who asks.
              email: `${id}@example.test as seen by ${req.headers.authorization ?? 'nobody'}`,
            })),
          },
        }),
      );
    });
  });
  const served = await serveStubSubscriptions(stub, upstreamSubscription, (ctx, payload, id) => ({
    id,
    query: payload.query,
    variables: payload.variables ?? {},
    connectionParams: ctx.connectionParams ?? {},
    caller: payload.extensions?.caller ?? {},
    socket: ctx.extra.socket,
  }));
  stubWs = served.wss;
  return served.url;
}

/** Who signed a service credential for `audience`, as that subgraph would check it. */
const gatewayCredentialOf = (audience: string) =>
  createServiceTokenVerifier({ secret: TEST_SERVICE_TOKEN_SECRET, audience, callers: [] });

const wsUrl = () => gateway.url.replace(/^http/, 'ws');
const clients: Client[] = [];
const raws: WebSocket[] = [];

function client(connectionParams: Record<string, unknown> = { authorization: `Bearer ${token}` }) {
  const created = createClient({
    url: wsUrl(),
    webSocketImpl: WebSocket,
    connectionParams,
    retryAttempts: 0,
  });
  clients.push(created);
  return created;
}

/** A subscription through the gateway, with what it received. */
function subscribe(
  query: string,
  variables: Record<string, unknown> = {},
  through: Client = client(),
) {
  const results: ExecutionResult[] = [];
  let errors: GraphQLFormattedError[] | undefined;
  let ended = false;
  const unsubscribe = through.subscribe(
    { query, variables },
    {
      next: (result) => results.push(result as ExecutionResult),
      error: (error) => {
        errors = Array.isArray(error) ? error : [{ message: String(error) }];
        ended = true;
      },
      complete: () => (ended = true),
    },
  );
  return {
    results,
    errors: () => errors,
    ended: () => ended,
    unsubscribe,
  };
}

/** `c1`'s messages subscribed to by the test's member and another, each on a client of their own. */
/** A client connection, and the close codes it ends with. */
function watchedClient(connectionParams?: Record<string, unknown>) {
  const connection = client(connectionParams);
  const closedWith: number[] = [];
  connection.on('closed', (event) => closedWith.push((event as { code: number }).code));
  return { connection, closedWith };
}

/** The test's user and another one, each subscribed to `query` (by default MESSAGE_ADDED). */
function bothSubscribedToMessages(query = MESSAGE_ADDED) {
  return {
    mine: subscribe(query, { id: 'c1' }),
    theirs: subscribe(query, { id: 'c1' }, client({ authorization: `Bearer ${otherToken}` })),
  };
}

/**
 * `ended` ends with one error of `code` while `goingOn` (on the same client connection) does not,
 * and the client connection stays open (`closedWith`, from `watchedClient`).
 */
async function expectEndedAlone(
  ended: ReturnType<typeof subscribe>,
  code: string,
  goingOn: ReturnType<typeof subscribe>,
  closedWith: number[],
) {
  await eventually(() => ended.ended(), 'the subscription to end');
  expect(ended.errors()).toEqual([expect.objectContaining({ extensions: { code } })]);
  expect(goingOn.ended()).toBe(false);
  expect(closedWith).toEqual([]);
}

/** A raw WebSocket to the gateway's /graphql, and the close code it ends with. */
function raw(protocols: string[] = ['graphql-transport-ws']) {
  const socket = new WebSocket(wsUrl(), protocols);
  raws.push(socket);
  const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
  const opened = new Promise<void>((resolve) => socket.once('open', () => resolve()));
  const acknowledged = new Promise<void>((resolve) =>
    socket.on('message', (data) => {
      if ((JSON.parse(String(data)) as { type: string }).type === 'connection_ack') resolve();
    }),
  );
  return {
    socket,
    closed,
    opened,
    acknowledged,
    send: (message: unknown) => socket.send(JSON.stringify(message)),
  };
}

/**
 * A user no earlier test fetched: the gateway reuses a fetched displayName across events for a
 * few seconds (entity-reuse), so a test counting entity fetches names senders of its own.
 */
const someone = () => `u-${crypto.randomUUID()}`;

const LEADERBOARD =
  'subscription L($id: ID!) { challengeLeaderboard(challengeId: $id) { rank user { displayName } } }';
const MESSAGE_ADDED =
  'subscription M($id: ID!) { messageAdded(conversationId: $id) { body sender { displayName } } }';

beforeAll(async () => {
  const url = await startStub();
  issuer = await testTokenIssuer();
  token = await issuer.tokenFor({ userId: crypto.randomUUID(), role: 'MEMBER' });
  otherToken = await issuer.tokenFor({ userId: crypto.randomUUID(), role: 'MEMBER' });
  gateway = await startTestGateway({
    subgraphUrls: everySubgraphAt(url),
    verifyAccessToken: async (accessToken) => {
      if (revoked.has(accessToken)) throw new TokenRevokedError();
      return issuer.verify(accessToken);
    },
    rateLimits: false,
    subscriptions: { upstreamRetryAttempts: 0, connectionInitTimeoutMs: 200 },
  });
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.dispose()));
  for (const socket of raws.splice(0)) socket.terminate();
  await eventually(
    () => gateway.subscriptions.upstreamSockets() === 0,
    'upstream sockets to close',
  );
  upstreams = [];
  entityFetches = [];
  entityCallers = [];
  entityCredentials = [];
});
afterAll(async () => {
  await gateway.stop();
  for (const socket of stubWs.clients) socket.terminate();
  await new Promise<void>((resolve) => stubWs.close(() => resolve()));
  await new Promise<void>((resolve) => stub.close(() => resolve()));
});

describe('the graphql-transport-ws protocol on the gateway', () => {
  it('when a client does not speak graphql-transport-ws, then the socket is closed with 4406', async () => {
    const { closed } = raw([]);
    expect(await closed).toBe(4406);
  });

  it('when a message is not JSON, then 4400; when it subscribes before connection_init, then 4401', async () => {
    const garbage = raw();
    await garbage.opened;
    garbage.socket.send('{not json');
    expect(await garbage.closed).toBe(4400);

    const early = raw();
    await early.opened;
    early.send({ id: '1', type: 'subscribe', payload: { query: MESSAGE_ADDED } });
    expect(await early.closed).toBe(4401);
  });

  it('when connection_init never comes, then 4408; when it comes twice, then 4429', async () => {
    const silent = raw();
    expect(await silent.closed).toBe(4408);

    const twice = raw();
    await twice.opened;
    twice.send({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } });
    twice.send({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } });
    expect(await twice.closed).toBe(4429);
  });

  it('when the token in connection_init is bad, then 4403 and nothing goes upstream', async () => {
    const forged = raw();
    await forged.opened;
    forged.send({ type: 'connection_init', payload: { authorization: 'Bearer not.a.token' } });
    expect(await forged.closed).toBe(4403);
    expect(upstreams).toHaveLength(0);
  });

  it('when a subscription id is already in use, then 4409 and its upstream subscription ends', async () => {
    const duplicate = raw();
    await duplicate.opened;
    duplicate.send({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } });
    await duplicate.acknowledged;
    const subscribeMessage = {
      id: 'same',
      type: 'subscribe',
      payload: { query: MESSAGE_ADDED, variables: { id: 'c1' } },
    };
    duplicate.send(subscribeMessage);
    await eventually(() => upstreams.length === 1, 'the upstream subscription');
    duplicate.send(subscribeMessage);
    expect(await duplicate.closed).toBe(4409);
    await eventually(() => upstreams[0]!.closed, 'the upstream subscription to end');
  });
});

describe('federated subscription execution', () => {
  it('when the subgraph pushes an event, then fields other subgraphs own are resolved with one batched entity fetch, and the token and correlation id go upstream', async () => {
    const subscription = subscribe(
      'subscription L($id: ID!) { challengeLeaderboard(challengeId: $id) { rank user { displayName } } }',
      { id: 'ch1' },
      client({ authorization: `Bearer ${token}`, 'x-correlation-id': 'corr-42' }),
    );
    await eventually(() => upstreams.length === 1, 'the upstream subscription');
    expect(upstreams[0]).toMatchObject({
      variables: { id: 'ch1' },
      caller: { authorization: `Bearer ${token}`, 'x-correlation-id': 'corr-42' },
    });
    // The connection is the gateway's, shared by its callers: it names none.
    expect(upstreams[0]!.connectionParams).toEqual({
      [SERVICE_TOKEN_HEADER]: expect.any(String),
      [CALLERS_PARAM]: CALLERS_PER_SUBSCRIPTION,
    });
    expect(upstreams[0]!.query).toContain('challengeLeaderboard');
    // As the subgraphs require: the gateway's own credential, for the subgraph it connects to.
    await expect(
      gatewayCredentialOf('squad')(upstreams[0]!.connectionParams[SERVICE_TOKEN_HEADER] as string),
    ).resolves.toBe('gateway');

    const users = [someone(), someone(), someone()];
    upstreams[0]!.push({
      data: {
        challengeLeaderboard: users.map((id, index) => ({
          rank: index + 1,
          user: { __typename: 'User', id },
        })),
      },
    });

    await eventually(() => subscription.results.length === 1, 'the event');
    expect(subscription.results[0]).toEqual({
      data: {
        challengeLeaderboard: [
          { rank: 1, user: { displayName: `Name of ${users[0]}` } },
          { rank: 2, user: { displayName: `Name of ${users[1]}` } },
          { rank: 3, user: { displayName: `Name of ${users[2]}` } },
        ],
      },
    });
    await expect(gatewayCredentialOf('identity')(entityCredentials[0])).resolves.toBe('gateway');
    expect(entityFetches).toEqual([
      {
        representations: users.map((id) => ({ __typename: 'User', id })),
      },
    ]);
  });

  it.each([
    ['as Authorization', (bearer: string) => ({ Authorization: bearer })],
    ['under headers', (bearer: string) => ({ headers: { authorization: bearer } })],
  ])(
    'when a graphql-ws client sends its token %s, then it is authenticated and the token goes upstream',
    async (_form, connectionParams) => {
      subscribe(MESSAGE_ADDED, { id: 'c1' }, client(connectionParams(`Bearer ${token}`)));
      await eventually(() => upstreams.length === 1, 'the upstream subscription');
      expect(upstreams[0]!.caller).toMatchObject({ authorization: `Bearer ${token}` });
    },
  );

  it('when the subgraph answers with errors, then the client receives them with their codes', async () => {
    const subscription = subscribe(MESSAGE_ADDED, { id: 'c1' });
    await eventually(() => upstreams.length === 1, 'the upstream subscription');
    upstreams[0]!.push({
      data: null,
      errors: [new ForbiddenError('Participants only')],
    });
    await eventually(() => subscription.results.length === 1, 'the error result');
    expect(subscription.results[0]).toEqual({
      data: null,
      errors: [
        expect.objectContaining({
          message: 'Participants only',
          extensions: { code: 'FORBIDDEN' },
        }),
      ],
    });
  });

  it('when the upstream connection drops and retries are exhausted, then the client’s subscription ends with an error and no upstream socket stays open', async () => {
    const subscription = subscribe(MESSAGE_ADDED, { id: 'c1' });
    await eventually(() => upstreams.length === 1, 'the upstream subscription');
    for (const socket of stubWs.clients) socket.terminate();

    await eventually(() => subscription.ended(), 'the subscription to end');
    expect(subscription.errors()).toEqual([
      expect.objectContaining({ extensions: { code: 'INTERNAL_SERVER_ERROR' } }),
    ]);
    await eventually(() => gateway.subscriptions.upstreamSockets() === 0, 'no upstream socket');
    expect(gateway.subscriptions.activeSubscriptions()).toBe(0);
  });

  it('when a subgraph refuses a revoked token before the gateway noticed, then the client connection is closed with 4403', async () => {
    const leaving = await issuer.tokenFor({ userId: crypto.randomUUID(), role: 'MEMBER' });
    const { connection, closedWith } = watchedClient({ authorization: `Bearer ${leaving}` });
    const subscription = subscribe(MESSAGE_ADDED, { id: 'c1' }, connection);
    await eventually(() => upstreams.length === 1, 'the upstream subscription');

    revoked.add(leaving);
    upstreams[0]!.fail(new TokenRevokedError());

    await eventually(() => closedWith.length > 0, 'the client connection to close');
    expect(closedWith).toEqual([4403]);
    expect(subscription.errors()?.[0]?.message ?? '').not.toMatch(/unavailable/);
  });

  it('when a subgraph refuses a token the gateway still accepts, then the subscription ends with the subgraph’s UNAUTHENTICATED and the connection stays open', async () => {
    const { connection, closedWith } = watchedClient();
    const refused = subscribe(MESSAGE_ADDED, { id: 'c1' }, connection);
    const other = subscribe(MESSAGE_ADDED, { id: 'c2' }, connection);
    await eventually(() => upstreams.length === 2, 'the upstream subscriptions');

    upstreams[0]!.fail(new TokenRevokedError());

    await expectEndedAlone(refused, 'UNAUTHENTICATED', other, closedWith);
  });

  it('when a subgraph refuses the gateway’s own credential (4403), then the subscriptions on that connection end with INTERNAL_SERVER_ERROR, the others go on, and the client connection stays open', async () => {
    const { connection, closedWith } = watchedClient();
    const refused = subscribe(MESSAGE_ADDED, { id: 'c1' }, connection);
    await eventually(() => upstreams.length === 1, 'the messaging subscription');
    // Another subgraph, so another upstream connection, which keeps going.
    const other = subscribe(LEADERBOARD, { id: 'ch1' }, connection);
    await eventually(() => upstreams.length === 2, 'the squad subscription');

    upstreams[0]!.socket.close(4403, 'Forbidden');

    await expectEndedAlone(refused, 'INTERNAL_SERVER_ERROR', other, closedWith);
  });

  it('when one client holds several subscriptions, then they share one upstream socket that closes with the last one', async () => {
    const shared = client();
    const first = subscribe(MESSAGE_ADDED, { id: 'c1' }, shared);
    const second = subscribe(MESSAGE_ADDED, { id: 'c2' }, shared);
    await eventually(() => upstreams.length === 2, 'both upstream subscriptions');
    expect(gateway.subscriptions.upstreamSockets()).toBe(1);

    first.unsubscribe();
    await eventually(() => upstreams[0]!.closed, 'the first upstream subscription to end');
    expect(gateway.subscriptions.upstreamSockets()).toBe(1);
    second.unsubscribe();
    await eventually(() => gateway.subscriptions.upstreamSockets() === 0, 'the socket to close');
  });

  it('when two connections of the same caller make the same subscription, then they share one upstream subscription and one execution per event; unsubscribing one keeps the other alive', async () => {
    const first = subscribe(MESSAGE_ADDED, { id: 'c1' });
    const second = subscribe(MESSAGE_ADDED, { id: 'c1' });
    const otherConversation = subscribe(MESSAGE_ADDED, { id: 'c2' });
    await eventually(() => upstreams.length === 2, 'the upstream subscriptions');
    await eventually(() => gateway.subscriptions.activeSubscriptions() === 3, 'all three live');
    expect(upstreams.map(({ variables }) => variables.id).sort()).toEqual(['c1', 'c2']);
    expect(gateway.subscriptions.upstreamSockets()).toBe(1);
    const c1 = upstreams.find(({ variables }) => variables.id === 'c1')!;
    const sender = someone();

    c1.push({ data: { messageAdded: { body: 'hi', sender: { __typename: 'User', id: sender } } } });
    await eventually(
      () => first.results.length === 1 && second.results.length === 1,
      'the event at both',
    );
    const expected = {
      data: { messageAdded: { body: 'hi', sender: { displayName: `Name of ${sender}` } } },
    };
    expect(first.results[0]).toEqual(expected);
    expect(second.results[0]).toEqual(expected);
    expect(entityFetches).toHaveLength(1);
    expect(otherConversation.results).toHaveLength(0);

    first.unsubscribe();
    await eventually(
      () => gateway.subscriptions.activeSubscriptions() === 2,
      'the first subscription to end',
    );
    expect(c1.closed).toBe(false);
    c1.push({
      data: { messageAdded: { body: 'again', sender: { __typename: 'User', id: 'u1' } } },
    });
    await eventually(() => second.results.length === 2, 'the second event');
    expect(first.results).toHaveLength(1);

    second.unsubscribe();
    await eventually(() => c1.closed, 'the shared upstream subscription to end');
    expect(upstreams.filter(({ closed }) => !closed)).toHaveLength(1);
    otherConversation.unsubscribe();
    await eventually(() => gateway.subscriptions.upstreamSockets() === 0, 'the socket to close');
  });

  it('when a client of a shared subscription disconnects, then the others keep receiving and the upstream subscription ends with the last one', async () => {
    const leaving = client();
    subscribe(MESSAGE_ADDED, { id: 'c1' }, leaving);
    const staying = subscribe(MESSAGE_ADDED, { id: 'c1' });
    await eventually(() => gateway.subscriptions.activeSubscriptions() === 2, 'both live');
    await eventually(() => upstreams.length === 1, 'the upstream subscription');

    await leaving.dispose();
    await eventually(() => gateway.subscriptions.activeSubscriptions() === 1, 'one left');
    upstreams[0]!.push({
      data: { messageAdded: { body: 'still', sender: { __typename: 'User', id: 'u2' } } },
    });
    await eventually(() => staying.results.length === 1, 'the event');
    expect(upstreams[0]!.closed).toBe(false);

    staying.unsubscribe();
    await eventually(() => upstreams[0]!.closed, 'the upstream subscription to end');
    await eventually(() => gateway.subscriptions.upstreamSockets() === 0, 'the socket to close');
  });

  it('when two users make the same subscription, then they never share it: one upstream subscription each with their own token (on the gateway’s one connection), events resolved with each one’s token', async () => {
    const { mine, theirs } = bothSubscribedToMessages();
    await eventually(() => upstreams.length === 2, 'one upstream subscription per user');
    expect(gateway.subscriptions.upstreamSockets()).toBe(1);
    const upstreamOf = (bearer: string) =>
      upstreams.find(({ caller }) => caller.authorization === bearer)!;
    const myUpstream = upstreamOf(`Bearer ${token}`);
    const theirUpstream = upstreamOf(`Bearer ${otherToken}`);
    expect(myUpstream).toBeDefined();
    expect(theirUpstream).toBeDefined();

    // Senders of their own: each event's entity fetch goes out (none reused from another).
    const [myFriend, theirFriend] = [someone(), someone()];
    myUpstream.push({
      data: { messageAdded: { body: 'mine', sender: { __typename: 'User', id: myFriend } } },
    });
    await eventually(() => mine.results.length === 1, 'my event');
    theirUpstream.push({
      data: { messageAdded: { body: 'theirs', sender: { __typename: 'User', id: theirFriend } } },
    });
    await eventually(() => theirs.results.length === 1, 'their event');
    expect(mine.results).toEqual([
      { data: { messageAdded: { body: 'mine', sender: { displayName: `Name of ${myFriend}` } } } },
    ]);
    expect(theirs.results).toEqual([
      {
        data: {
          messageAdded: { body: 'theirs', sender: { displayName: `Name of ${theirFriend}` } },
        },
      },
    ]);
    expect(entityCallers).toEqual([`Bearer ${token}`, `Bearer ${otherToken}`]);
  });

  it('when the subgraph answers two callers’ subscriptions with one next-to-many frame, then each caller gets the event, resolved for them', async () => {
    const { mine, theirs } = bothSubscribedToMessages();
    await eventually(() => upstreams.length === 2, 'one upstream subscription per caller');
    const sender = someone();
    const body = `together ${crypto.randomUUID()}`;

    upstreams[0]!.socket.send(
      nextToManyFrame(
        upstreams.map(({ id }) => id),
        JSON.stringify({
          data: { messageAdded: { body, sender: { __typename: 'User', id: sender } } },
        }),
      ),
    );

    await eventually(() => mine.results.length === 1 && theirs.results.length === 1, 'the event');
    const delivered = {
      data: { messageAdded: { body, sender: { displayName: `Name of ${sender}` } } },
    };
    expect(mine.results).toEqual([delivered]);
    expect(theirs.results).toEqual([delivered]);
  });

  it('when a next-to-many frame still names a subscription its caller ended, then only the live one gets the event', async () => {
    const { mine, theirs } = bothSubscribedToMessages();
    await eventually(() => upstreams.length === 2, 'one upstream subscription per caller');
    const named = upstreams.map(({ id }) => id);
    const mineUpstream = upstreams.find(
      ({ caller }) => caller.authorization === `Bearer ${token}`,
    )!;
    mine.unsubscribe();
    await eventually(() => mineUpstream.closed, 'my upstream subscription to end');

    upstreams[0]!.socket.send(
      nextToManyFrame(
        named,
        JSON.stringify({
          data: { messageAdded: { body: 'late', sender: { __typename: 'User', id: 'u1' } } },
        }),
      ),
    );

    await eventually(() => theirs.results.length === 1, 'their event');
    expect(theirs.results).toEqual([
      { data: { messageAdded: { body: 'late', sender: { displayName: 'Name of u1' } } } },
    ]);
    expect(mine.results).toEqual([]);
  });

  it('when the subgraph answers two callers’ subscriptions to a field that depends on the caller with one next-to-many frame, then each gets it as seen by them, and neither resolution changes the event the other resolves', async () => {
    const { mine, theirs } = bothSubscribedToMessages(
      'subscription M($id: ID!) { messageAdded(conversationId: $id) { body sender { email } } }',
    );
    await eventually(() => upstreams.length === 2, 'one upstream subscription per caller');
    const body = `seen ${crypto.randomUUID()}`;

    upstreams[0]!.socket.send(
      nextToManyFrame(
        upstreams.map(({ id }) => id),
        JSON.stringify({
          data: { messageAdded: { body, sender: { __typename: 'User', id: 'u1' } } },
        }),
      ),
    );

    await eventually(() => mine.results.length === 1 && theirs.results.length === 1, 'the event');
    const seenBy = (bearer: string) => [
      {
        data: { messageAdded: { body, sender: { email: `u1@example.test as seen by ${bearer}` } } },
      },
    ];
    expect(mine.results).toEqual(seenBy(`Bearer ${token}`));
    expect(theirs.results).toEqual(seenBy(`Bearer ${otherToken}`));
  });

  it.each([
    ['an id that is not a string', '{"type":"next-to-many","ids":[1],"payload":{}}'],
    ['a payload that is not JSON', '{"type":"next-to-many","ids":["1"],"payload":{nope}}'],
    ['an empty id', '{"type":"next-to-many","ids":[""],"payload":{}}'],
    ['a payload that is not an object', '{"type":"next-to-many","ids":["1"],"payload":[]}'],
    ['a payload that is null', '{"type":"next-to-many","ids":["1"],"payload":null}'],
    [
      'a payload nested deeper than a stack can walk',
      `{"type":"next-to-many","ids":["1"],"payload":{"data":${'['.repeat(200_000)}${']'.repeat(200_000)}}}`,
    ],
  ])(
    'when the subgraph sends a malformed next-to-many frame (%s), then that upstream connection is closed (4004) and its subscriptions end with INTERNAL_SERVER_ERROR, as after any message graphql-ws cannot read; the client connection and its subscriptions to other subgraphs go on',
    async (_malformed, frame) => {
      const { connection, closedWith } = watchedClient();
      const broken = subscribe(MESSAGE_ADDED, { id: 'c1' }, connection);
      const other = subscribe(LEADERBOARD, { id: 'ch1' }, connection);
      await eventually(() => upstreams.length === 2, 'both upstream subscriptions');
      const messaging = upstreams.find(({ query }) => query.includes('messageAdded'))!;
      const closed = new Promise<number>((resolve) =>
        messaging.socket.once('close', (code) => resolve(code)),
      );

      messaging.socket.send(frame);

      expect(await closed).toBe(4004);
      await expectEndedAlone(broken, 'INTERNAL_SERVER_ERROR', other, closedWith);
    },
  );

  it('when two members of a conversation get the same message, then each keeps an upstream subscription of their own but the sender’s displayName is fetched once for both; a member the subgraph ends (left the conversation) stops receiving, the other goes on', async () => {
    const { mine, theirs } = bothSubscribedToMessages();
    await eventually(() => upstreams.length === 2, 'one upstream subscription per member');
    const upstreamOf = (bearer: string) =>
      upstreams.find(({ caller }) => caller.authorization === bearer)!;
    const myUpstream = upstreamOf(`Bearer ${token}`);
    const theirUpstream = upstreamOf(`Bearer ${otherToken}`);
    const sender = someone();
    const message = (body: string) => ({
      data: { messageAdded: { body, sender: { __typename: 'User', id: sender } } },
    });

    // A body of its own: an identical event of another test within the window shares its result.
    const body = `hi ${crypto.randomUUID()}`;
    myUpstream.push(message(body));
    theirUpstream.push(message(body));
    await eventually(() => mine.results.length === 1 && theirs.results.length === 1, 'the event');
    const delivered = {
      data: { messageAdded: { body, sender: { displayName: `Name of ${sender}` } } },
    };
    expect(mine.results).toEqual([delivered]);
    expect(theirs.results).toEqual([delivered]);
    expect(entityFetches).toHaveLength(1);

    theirUpstream.end();
    await eventually(() => theirs.ended(), 'the member who left to be ended');
    myUpstream.push(message('still here'));
    await eventually(() => mine.results.length === 2, 'the next message');
    expect(theirs.results).toHaveLength(1);
    expect(theirs.errors()).toBeUndefined();
  });

  it('when messages from one sender follow one another, then the sender’s displayName is fetched for the first and reused for the next, for every member', async () => {
    const { mine, theirs } = bothSubscribedToMessages();
    await eventually(() => upstreams.length === 2, 'one upstream subscription per member');
    const sender = someone();
    const bodies = [`first ${crypto.randomUUID()}`, `second ${crypto.randomUUID()}`];
    for (const [index, body] of bodies.entries()) {
      for (const upstream of upstreams) {
        upstream.push({
          data: { messageAdded: { body, sender: { __typename: 'User', id: sender } } },
        });
      }
      await eventually(
        () => mine.results.length === index + 1 && theirs.results.length === index + 1,
        `message ${index + 1}`,
      );
    }

    const delivered = bodies.map((body) => ({
      data: { messageAdded: { body, sender: { displayName: `Name of ${sender}` } } },
    }));
    expect(mine.results).toEqual(delivered);
    expect(theirs.results).toEqual(delivered);
    expect(entityFetches).toEqual([{ representations: [{ __typename: 'User', id: sender }] }]);
  });

  it('when a subscription selects a field that depends on the caller, then every event is resolved for each caller with their own token, never shared nor reused', async () => {
    const { mine, theirs } = bothSubscribedToMessages(
      'subscription M($id: ID!) { messageAdded(conversationId: $id) { body sender { displayName email } } }',
    );
    await eventually(() => upstreams.length === 2, 'one upstream subscription per caller');
    const event = (body: string) => ({
      data: { messageAdded: { body, sender: { __typename: 'User', id: 'u1' } } },
    });
    for (const upstream of upstreams) upstream.push(event('hi'));
    await eventually(() => mine.results.length === 1 && theirs.results.length === 1, 'the event');
    for (const upstream of upstreams) upstream.push(event('again'));
    await eventually(
      () => mine.results.length === 2 && theirs.results.length === 2,
      'the next event',
    );

    const seenBy = (bearer: string) =>
      ['hi', 'again'].map((body) => ({
        data: {
          messageAdded: {
            body,
            sender: { displayName: 'Name of u1', email: `u1@example.test as seen by ${bearer}` },
          },
        },
      }));
    expect(mine.results).toEqual(seenBy(`Bearer ${token}`));
    expect(theirs.results).toEqual(seenBy(`Bearer ${otherToken}`));
    expect([...entityCallers].sort()).toEqual(
      [`Bearer ${otherToken}`, `Bearer ${otherToken}`, `Bearer ${token}`, `Bearer ${token}`].sort(),
    );
  });

  it('when the shared upstream subscription fails, then every client sharing it ends with the error and a new subscription opens a fresh one', async () => {
    const first = subscribe(MESSAGE_ADDED, { id: 'c1' });
    const second = subscribe(MESSAGE_ADDED, { id: 'c1' });
    await eventually(() => gateway.subscriptions.activeSubscriptions() === 2, 'both live');
    await eventually(() => upstreams.length === 1, 'the upstream subscription');
    for (const socket of stubWs.clients) socket.terminate();
    await eventually(() => first.ended() && second.ended(), 'both to end');
    expect(first.errors()?.[0]?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
    expect(second.errors()?.[0]?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
    expect(gateway.subscriptions.activeSubscriptions()).toBe(0);

    const again = subscribe(MESSAGE_ADDED, { id: 'c1' });
    await eventually(() => upstreams.length === 2, 'a fresh upstream subscription');
    upstreams[1]!.push({
      data: { messageAdded: { body: 'back', sender: { __typename: 'User', id: 'u1' } } },
    });
    await eventually(() => again.results.length === 1, 'the event');
  });

  it('when the gateway’s depth limit is exceeded, then the subscription is refused with GRAPHQL_VALIDATION_FAILED before anything goes upstream', async () => {
    const nested = `squad { ${'owner { squads { '.repeat(6)}id${' } }'.repeat(6)} }`;
    const deep = subscribe(
      `subscription A($id: ID!) { squadActivity(squadId: $id) { challenge { ${nested} } } }`,
      { id: 's1' },
    );
    await eventually(() => deep.ended(), 'the refusal');
    expect(deep.errors()?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(upstreams).toHaveLength(0);
  });
});
