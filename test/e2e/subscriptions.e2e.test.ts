import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  createFitnexaClient,
  MessageAddedDocument,
  memoryTokenStore,
  type MessageAddedSubscription,
} from '@fitnexa/client';
import { loadMessagingConfig, startMessaging, type MessagingServer } from '@fitnexa/messaging';
import {
  quietLogger,
  TEST_SERVICE_TOKEN_SECRET,
  testDatabaseUrl,
  testRedisUrl,
} from '@fitnexa/shared/testing';
import {
  closeRealtimeClients,
  eventually,
  subscribeOverWs,
} from '@fitnexa/shared/testing/realtime';
import { startGateway, type GatewayServer } from '@fitnexa/supergraph';
import { createClient } from 'graphql-ws';
import { WebSocket } from 'ws';
import { aSquadOfTwo as squadOfTwo, send as sendMessage } from './factories';
import { startGraph, type Graph, type SignedIn } from './support';

// Federated subscriptions through the gateway's :3000/graphql: the root field from its subgraph
// over graphql-ws, every other subgraph's fields through entity fetches, per event.

let graph: Graph;

beforeAll(async () => {
  graph = await startGraph();
});
afterEach(closeRealtimeClients);
afterAll(() => graph.stop());

const gateway = () => graph.gateway as GatewayServer;
const messagingHub = () => graph.subgraphs.messaging.hub;

const MESSAGE_ADDED = `subscription M($id: ID!) {
  messageAdded(conversationId: $id) { id body sender { id displayName } }
}`;

const aSquadOfTwo = () => squadOfTwo(graph);
const send = (user: SignedIn, conversationId: string, body: string) =>
  sendMessage(graph, user, conversationId, body);

const displayNameOf = async (user: SignedIn) =>
  (await graph.as(user.token, '{ me { displayName } }')).me.displayName as string;

/** The errors a subscription through the gateway ends with (graphql-ws's `error` message). */
async function errorsOf(query: string, variables: Record<string, unknown>, token: string) {
  const client = createClient({
    url: graph.gateway.url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    retryAttempts: 0,
  });
  try {
    return await new Promise<unknown>((resolve, reject) =>
      client.subscribe(
        { query, variables },
        {
          next: (result) => reject(new Error(`unexpected result ${JSON.stringify(result)}`)),
          error: resolve,
          complete: () => reject(new Error('completed without an error')),
        },
      ),
    );
  } finally {
    await client.dispose();
  }
}

/** Subscribes through the gateway; resolves once messaging has the upstream subscription open. */
const subscribeThroughGateway = (
  query: string,
  variables: Record<string, unknown>,
  token?: string,
) => subscribeOverWs({ url: graph.gateway.url, hub: messagingHub() }, query, variables, token);

describe('federated subscriptions on the gateway', () => {
  it('when another user sends a message, then a graphql-ws subscriber on :3000 receives it with the sender’s displayName resolved from identity', async () => {
    const { alice, bob, conversationId } = await aSquadOfTwo();
    const subscription = await subscribeThroughGateway(
      MESSAGE_ADDED,
      { id: conversationId },
      bob.token,
    );

    const id = await send(alice, conversationId, 'Leg day at 6?');

    expect(await subscription.received(1)).toEqual([
      {
        data: {
          messageAdded: {
            id,
            body: 'Leg day at 6?',
            sender: { id: alice.id, displayName: await displayNameOf(alice) },
          },
        },
      },
    ]);
  });

  it('when a web or mobile app subscribes through @fitnexa/client, then it receives events with the stored token and unsubscribing ends the upstream subscription', async () => {
    const { alice, bob, conversationId } = await aSquadOfTwo();
    const app = createFitnexaClient({
      url: graph.gateway.url,
      webSocketImpl: WebSocket,
      tokenStore: memoryTokenStore({
        accessToken: bob.token,
        refreshToken: 'unused',
        accessTokenExpiresAt: new Date(Date.now() + 60_000).toISOString(),
        refreshTokenExpiresAt: new Date(Date.now() + 60_000).toISOString(),
      }),
    });
    const room = `conversation:${conversationId}`;
    try {
      const events: MessageAddedSubscription[] = [];
      const subscription = app.apollo
        .subscribe({ query: MessageAddedDocument, variables: { conversationId } })
        .subscribe(({ data }) => data && events.push(data));
      await eventually(() => messagingHub().subscriptionCount(room) === 1, 'the subscription');
      await send(alice, conversationId, 'From the app');

      await eventually(() => events.length === 1, 'the event');
      expect(events[0]).toMatchObject({
        messageAdded: {
          body: 'From the app',
          conversationId,
          sender: { displayName: await displayNameOf(alice) },
        },
      });
      subscription.unsubscribe();
      await eventually(
        () => messagingHub().subscriptionCount(room) === 0,
        'the upstream subscription to end',
      );
    } finally {
      await app.close();
    }
  });

  it('when a squad member joins, then squadActivity through :3000 carries the actor’s displayName from identity', async () => {
    const { alice, squadId } = await aSquadOfTwo();
    const squadHub = graph.subgraphs.squad.hub;
    const before = squadHub.subscriptionCount();
    const subscription = await subscribeOverWs(
      { url: graph.gateway.url },
      'subscription A($id: ID!) { squadActivity(squadId: $id) { kind actor { displayName } } }',
      { id: squadId },
      alice.token,
    );
    await eventually(() => squadHub.subscriptionCount() > before, 'the squad subscription');
    const carol = await graph.signUp();

    await graph.as(carol.token, 'mutation J($id: ID!) { joinSquad(squadId: $id) { role } }', {
      id: squadId,
    });

    expect(await subscription.received(1)).toEqual([
      {
        data: {
          squadActivity: {
            kind: 'MEMBER_JOINED',
            actor: { displayName: await displayNameOf(carol) },
          },
        },
      },
    ]);
  });

  it('when the token is forged, then the connection is refused with 4403; without a token the subscription ends with UNAUTHENTICATED, and a stranger gets FORBIDDEN', async () => {
    const { conversationId } = await aSquadOfTwo();
    const forged = createClient({
      url: graph.gateway.url.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: { authorization: 'Bearer forged.token.here' },
      retryAttempts: 0,
    });
    const closed = await new Promise<{ code: number }>((resolve) => {
      forged.on('closed', (event) => resolve(event as { code: number }));
      forged.subscribe(
        { query: MESSAGE_ADDED, variables: { id: conversationId } },
        {
          next: () => {},
          error: () => {},
          complete: () => {},
        },
      );
    });
    await forged.dispose();
    expect(closed.code).toBe(4403);

    const anonymous = await subscribeOverWs({ url: graph.gateway.url }, MESSAGE_ADDED, {
      id: conversationId,
    });
    await anonymous.completed;
    expect(anonymous.results[0]?.errors?.[0]).toMatchObject({
      extensions: { code: 'UNAUTHENTICATED' },
    });

    const stranger = await graph.signUp();
    const refused = await subscribeOverWs(
      { url: graph.gateway.url },
      MESSAGE_ADDED,
      { id: conversationId },
      stranger.token,
    );
    await refused.completed;
    expect(refused.results[0]?.errors?.[0]).toMatchObject({ extensions: { code: 'FORBIDDEN' } });
  });

  it('when a subscription asks for an unknown field, has bad variables or is not a subscription, then it ends at once with GRAPHQL_VALIDATION_FAILED, BAD_USER_INPUT or BAD_REQUEST and nothing goes upstream', async () => {
    const { bob, conversationId } = await aSquadOfTwo();
    const refusal = (query: string, variables: Record<string, unknown>) =>
      errorsOf(query, variables, bob.token);

    const unknown = await refusal(
      'subscription M($id: ID!) { messageAdded(conversationId: $id) { id nonsense } }',
      { id: conversationId },
    );
    expect(unknown).toEqual([
      expect.objectContaining({
        message: expect.stringContaining('nonsense'),
        extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
      }),
    ]);
    expect(await refusal(MESSAGE_ADDED, { id: { not: 'an id' } })).toEqual([
      expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT' } }),
    ]);
    expect(await refusal('query { me { id } }', {})).toEqual([
      expect.objectContaining({ extensions: { code: 'BAD_REQUEST' } }),
    ]);
    expect(gateway().subscriptions.upstreamSockets()).toBe(0);
    expect(messagingHub().subscriptionCount(`conversation:${conversationId}`)).toBe(0);
  });

  it('when 200 clients of two users subscribe through the gateway, then each user’s clients share one upstream subscription, on one gateway connection to messaging, and all receive the event; after they disconnect no upstream connection stays open', async () => {
    const { alice, bob, conversationId } = await aSquadOfTwo();
    const room = `conversation:${conversationId}`;
    const subscribers = await Promise.all(
      Array.from({ length: 200 }, (_, index) =>
        subscribeOverWs(
          { url: graph.gateway.url },
          MESSAGE_ADDED,
          { id: conversationId },
          (index % 2 ? alice : bob).token,
        ),
      ),
    );
    await eventually(
      () =>
        messagingHub().subscriptionCount(room) === 2 &&
        gateway().subscriptions.activeSubscriptions() === 200,
      'one upstream subscription per user for 200 clients',
    );
    expect(gateway().subscriptions.upstreamSockets()).toBe(1);

    const id = await send(alice, conversationId, 'Everyone, 6 am');

    const name = await displayNameOf(alice);
    for (const subscriber of subscribers) {
      expect(await subscriber.received(1)).toEqual([
        {
          data: {
            messageAdded: {
              id,
              body: 'Everyone, 6 am',
              sender: { id: alice.id, displayName: name },
            },
          },
        },
      ]);
    }
    await closeRealtimeClients();
    await eventually(
      () =>
        gateway().subscriptions.upstreamSockets() === 0 &&
        gateway().subscriptions.activeSubscriptions() === 0 &&
        messagingHub().subscriptionCount(room) === 0,
      'every upstream connection to close',
    );
  });

  it('when two clients of the same user subscribe alike, then they share one upstream subscription; when one leaves, the other still receives, and the last one closes it', async () => {
    const { alice, bob, conversationId } = await aSquadOfTwo();
    const room = `conversation:${conversationId}`;
    const first = await subscribeThroughGateway(MESSAGE_ADDED, { id: conversationId }, bob.token);
    const active = gateway().subscriptions.activeSubscriptions();
    const second = await subscribeOverWs(
      { url: graph.gateway.url },
      MESSAGE_ADDED,
      { id: conversationId },
      bob.token,
    );
    await eventually(
      () => gateway().subscriptions.activeSubscriptions() === active + 1,
      'the second subscription',
    );
    expect(messagingHub().subscriptionCount(room)).toBe(1);

    const one = await send(alice, conversationId, 'For both of you');
    const name = await displayNameOf(alice);
    const event = (id: string, body: string) => ({
      data: { messageAdded: { id, body, sender: { id: alice.id, displayName: name } } },
    });
    expect(await first.received(1)).toEqual([event(one, 'For both of you')]);
    expect(await second.received(1)).toEqual([event(one, 'For both of you')]);

    await first.close();
    await eventually(
      () => gateway().subscriptions.activeSubscriptions() === active,
      'the first subscription to end',
    );
    expect(messagingHub().subscriptionCount(room)).toBe(1);
    const two = await send(alice, conversationId, 'Just you now');
    expect(await second.received(2)).toEqual([
      event(one, 'For both of you'),
      event(two, 'Just you now'),
    ]);

    await second.close();
    await eventually(
      () => messagingHub().subscriptionCount(room) === 0,
      'the shared upstream subscription to end',
    );
  });

  it('when a client unsubscribes but stays connected, then the upstream subscription completes and its socket closes', async () => {
    const { bob, conversationId } = await aSquadOfTwo();
    const before = messagingHub().subscriptionCount();
    const client = createClient({
      url: graph.gateway.url.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${bob.token}` },
      retryAttempts: 0,
    });
    try {
      const unsubscribe = client.subscribe(
        { query: MESSAGE_ADDED, variables: { id: conversationId } },
        { next: () => {}, error: () => {}, complete: () => {} },
      );
      await eventually(() => messagingHub().subscriptionCount() > before, 'the subscription');
      expect(gateway().subscriptions.upstreamSockets()).toBe(1);

      unsubscribe();

      await eventually(
        () =>
          messagingHub().subscriptionCount() === before &&
          gateway().subscriptions.upstreamSockets() === 0,
        'the upstream subscription to end',
      );
    } finally {
      await client.dispose();
    }
  });

  it('when messaging restarts, then the gateway reconnects upstream and the client’s subscription carries on', async () => {
    const { alice, bob, conversationId } = await aSquadOfTwo();
    const subscription = await subscribeThroughGateway(
      MESSAGE_ADDED,
      { id: conversationId },
      bob.token,
    );

    await graph.stopSubgraph('messaging');
    await graph.restartSubgraph('messaging');
    await eventually(() => messagingHub().subscriptionCount() > 0, 'the subscription again');
    const id = await send(alice, conversationId, 'Still on?');

    expect((await subscription.received(1))[0]).toMatchObject({
      data: { messageAdded: { id, sender: { id: alice.id } } },
    });
  });
});

describe('several gateway and messaging instances', () => {
  let messaging2: MessagingServer;
  let gateway2: GatewayServer;

  beforeAll(async () => {
    const env = {
      DATABASE_URL: testDatabaseUrl(),
      REDIS_URL: testRedisUrl(),
      DATA_DIR: 'memory://',
      JWKS_URL: graph.identity.jwksUrl,
      SQUAD_URL: graph.subgraphs.squad.url,
      SERVICE_TOKEN_SECRET: TEST_SERVICE_TOKEN_SECRET,
    };
    messaging2 = await startMessaging({
      ...loadMessagingConfig(env),
      PORT: 0,
      schema: graph.schemas.messaging,
      logger: quietLogger('messaging'),
    });
    gateway2 = await startGateway({
      supergraphSdl: readFileSync(
        join(__dirname, '..', '..', 'schema', 'supergraph.graphql'),
        'utf8',
      ),
      subgraphUrls: {
        ...Object.fromEntries(
          Object.entries(graph.subgraphs).map(([name, server]) => [name, server.url]),
        ),
        messaging: messaging2.url,
      },
      jwksUrl: graph.identity.jwksUrl,
      serviceTokenSecret: TEST_SERVICE_TOKEN_SECRET,
      port: 0,
      host: '127.0.0.1',
      logger: quietLogger('gateway'),
      redisUrl: testRedisUrl(),
      rateLimits: false,
    });
  });
  afterAll(async () => {
    await gateway2?.stop();
    await messaging2?.stop();
  });

  it('when a message is sent through one gateway and messaging instance, then a subscriber of the other gateway and instance receives it, names resolved', async () => {
    const { alice, bob, conversationId } = await aSquadOfTwo();
    const subscription = await subscribeOverWs(
      { url: gateway2.url, hub: messaging2.hub },
      MESSAGE_ADDED,
      { id: conversationId },
      bob.token,
    );

    const id = await send(alice, conversationId, 'Across instances');

    expect(await subscription.received(1)).toEqual([
      {
        data: {
          messageAdded: {
            id,
            body: 'Across instances',
            sender: { id: alice.id, displayName: await displayNameOf(alice) },
          },
        },
      },
    ]);
    expect(gateway().subscriptions.upstreamSockets()).toBe(0);
  });
});
