import { createClient, type Client } from 'graphql-ws';
import { io, type Socket } from 'socket.io-client';
import WebSocket from 'ws';
import { startGraph, type Graph, type SignedIn } from './support';

// Squads and chat, live: socket.io through the gateway's :3000 and graphql-ws on messaging.

let graph: Graph;
const sockets: Socket[] = [];
const subscriptionClients: Client[] = [];

beforeAll(async () => {
  graph = await startGraph();
});
afterAll(async () => {
  for (const socket of sockets) socket.disconnect();
  await Promise.all(subscriptionClients.map((client) => client.dispose()));
  await graph.stop();
});

/** A socket.io client of messaging's `/chat`, through the gateway, connected. */
async function chatThroughGateway(user: SignedIn, transports: ('websocket' | 'polling')[]) {
  const origin = new URL(graph.gateway.url).origin;
  const socket = io(`${origin}/chat`, {
    path: '/socket.io/messaging',
    auth: { token: user.token },
    transports,
    reconnection: false,
  });
  sockets.push(socket);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  return socket;
}

/** The squad's group chat, which each member reaches through the gateway (squad → messaging). */
async function squadChatOf(user: SignedIn, squadId: string): Promise<string> {
  const data = await graph.as(
    user.token,
    'query Q($id: ID!) { squad(id: $id) { conversation { id } } }',
    {
      id: squadId,
    },
  );
  return data.squad.conversation.id;
}

async function aSquadOfTwo() {
  const alice = await graph.signUp();
  const bob = await graph.signUp();
  const { createSquad: squad } = await graph.as(
    alice.token,
    'mutation C($input: CreateSquadInput!) { createSquad(input: $input) { id } }',
    { input: { name: 'Dawn Patrol', visibility: 'PUBLIC' } },
  );
  await graph.as(bob.token, 'mutation J($id: ID!) { joinSquad(squadId: $id) { role } }', {
    id: squad.id,
  });
  const conversationId = await squadChatOf(alice, squad.id);
  expect(await squadChatOf(bob, squad.id)).toBe(conversationId);
  return { alice, bob, conversationId };
}

const unreadCountOf = async (user: SignedIn) =>
  (await graph.as(user.token, '{ me { unreadCount } }')).me.unreadCount as number;

describe('squad chat, live, through the single entry point', () => {
  it('when one squad member sends through socket.io on :3000, then the other receives it on socket.io and on a graphql-ws subscription, and unreadCount goes up and back down', async () => {
    const { alice, bob, conversationId } = await aSquadOfTwo();

    const subscriber = createClient({
      url: graph.subgraphs.messaging.url.replace('http', 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${bob.token}` },
      retryAttempts: 0,
    });
    subscriptionClients.push(subscriber);
    const subscription = subscriber.iterate<{
      messageAdded: { id: string; body: string; sender: { id: string } };
    }>({
      query:
        'subscription M($id: ID!) { messageAdded(conversationId: $id) { id body sender { id } } }',
      variables: { id: conversationId },
    });
    const received = subscription.next();

    const bobsSocket = await chatThroughGateway(bob, ['websocket']);
    expect(await bobsSocket.emitWithAck('conversation:join', { conversationId })).toEqual({
      data: { conversationId },
    });
    const pushed = new Promise<any>((resolve) => bobsSocket.once('message:new', resolve));
    // The subscription is registered once graphql-ws has acknowledged the connection and the
    // subscribe message reached the server; a short pause stands in for a server-side signal.
    await new Promise((resolve) => setTimeout(resolve, 300));

    expect(await unreadCountOf(bob)).toBe(0);
    const alicesSocket = await chatThroughGateway(alice, ['websocket']);
    const sent = await alicesSocket.emitWithAck('message:send', {
      conversationId,
      body: 'Leg day at 6?',
    });
    expect(sent.data).toMatchObject({ body: 'Leg day at 6?', conversationId });

    const viaSocket = await pushed;
    const viaSubscription = (await received).value;
    expect(viaSocket).toMatchObject({ id: sent.data.id, body: 'Leg day at 6?' });
    expect(viaSubscription).toEqual({
      data: { messageAdded: { id: sent.data.id, body: 'Leg day at 6?', sender: { id: alice.id } } },
    });
    await subscription.return?.();

    expect(await unreadCountOf(bob)).toBe(1);
    await graph.as(
      bob.token,
      'mutation R($id: ID!) { markConversationRead(conversationId: $id) { id } }',
      {
        id: conversationId,
      },
    );
    expect(await unreadCountOf(bob)).toBe(0);
    expect(await unreadCountOf(alice)).toBe(0);
  });

  it('when a client can only long-poll, then socket.io through :3000 works as well', async () => {
    const { alice, bob, conversationId } = await aSquadOfTwo();
    const bobsSocket = await chatThroughGateway(bob, ['polling']);
    await bobsSocket.emitWithAck('conversation:join', { conversationId });
    const pushed = new Promise<any>((resolve) => bobsSocket.once('message:new', resolve));
    const alicesSocket = await chatThroughGateway(alice, ['polling']);
    await alicesSocket.emitWithAck('message:send', { conversationId, body: 'On my way' });
    expect(await pushed).toMatchObject({ body: 'On my way' });
  });

  it('when someone outside the squad joins its chat through :3000, then it is refused with FORBIDDEN; without a token the connection is refused', async () => {
    const { conversationId } = await aSquadOfTwo();
    const stranger = await graph.signUp();
    const socket = await chatThroughGateway(stranger, ['websocket']);
    expect(await socket.emitWithAck('conversation:join', { conversationId })).toMatchObject({
      error: { code: 'FORBIDDEN' },
    });
    await expect(chatThroughGateway({ id: '', token: 'forged' }, ['websocket'])).rejects.toThrow(
      'UNAUTHENTICATED',
    );
  });
});
