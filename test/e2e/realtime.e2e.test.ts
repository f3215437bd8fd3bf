import {
  closeRealtimeClients,
  connectSocket,
  emitWithAck,
  subscribeOverWs,
} from '@fitnexa/shared/testing/realtime';
import { aSquadOfTwo as squadOfTwo, squadChatOf } from './factories';
import { startGraph, type Graph, type SignedIn } from './support';

// Squads and chat, live: socket.io through the gateway's :3000 and graphql-ws on messaging.

let graph: Graph;

beforeAll(async () => {
  graph = await startGraph();
});
afterEach(closeRealtimeClients);
afterAll(() => graph.stop());

/** A socket.io client of messaging's `/chat`, through the gateway, connected. */
const chatThroughGateway = (user: SignedIn, transports: ('websocket' | 'polling')[]) =>
  connectSocket(`${new URL(graph.gateway.url).origin}/chat`, {
    path: '/socket.io/messaging',
    token: user.token,
    transports,
  });

async function aSquadOfTwo() {
  const squad = await squadOfTwo(graph);
  expect(await squadChatOf(graph, squad.bob, squad.squadId)).toBe(squad.conversationId);
  return squad;
}

const unreadCountOf = async (user: SignedIn) =>
  (await graph.as(user.token, '{ me { unreadCount } }')).me.unreadCount as number;

describe('squad chat, live, through the single entry point', () => {
  it('when one squad member sends through socket.io on :3000, then the other receives it on socket.io and on a graphql-ws subscription, and unreadCount goes up and back down', async () => {
    const { alice, bob, conversationId } = await aSquadOfTwo();

    const subscription = await subscribeOverWs(
      { ...graph.subgraphs.messaging, service: 'messaging' },
      'subscription M($id: ID!) { messageAdded(conversationId: $id) { id body sender { id } } }',
      { id: conversationId },
      bob.token,
    );
    const bobsSocket = await chatThroughGateway(bob, ['websocket']);
    expect(await emitWithAck(bobsSocket, 'conversation:join', { conversationId })).toEqual({
      data: { conversationId },
    });
    const pushed = new Promise<any>((resolve) => bobsSocket.once('message:new', resolve));

    expect(await unreadCountOf(bob)).toBe(0);
    const alicesSocket = await chatThroughGateway(alice, ['websocket']);
    const sent = await emitWithAck(alicesSocket, 'message:send', {
      conversationId,
      body: 'Leg day at 6?',
    });
    expect(sent.data).toMatchObject({ body: 'Leg day at 6?', conversationId });

    const viaSocket = await pushed;
    expect(viaSocket).toMatchObject({ id: sent.data.id, body: 'Leg day at 6?' });
    expect(await subscription.received(1)).toEqual([
      {
        data: {
          messageAdded: { id: sent.data.id, body: 'Leg day at 6?', sender: { id: alice.id } },
        },
      },
    ]);

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
    await emitWithAck(bobsSocket, 'conversation:join', { conversationId });
    const pushed = new Promise<any>((resolve) => bobsSocket.once('message:new', resolve));
    const alicesSocket = await chatThroughGateway(alice, ['polling']);
    await emitWithAck(alicesSocket, 'message:send', { conversationId, body: 'On my way' });
    expect(await pushed).toMatchObject({ body: 'On my way' });
  });

  it('when someone outside the squad joins its chat through :3000, then it is refused with FORBIDDEN; without a token the connection is refused', async () => {
    const { conversationId } = await aSquadOfTwo();
    const stranger = await graph.signUp();
    const socket = await chatThroughGateway(stranger, ['websocket']);
    expect(await emitWithAck(socket, 'conversation:join', { conversationId })).toMatchObject({
      error: { code: 'FORBIDDEN' },
    });
    await expect(chatThroughGateway({ id: '', token: 'forged' }, ['websocket'])).rejects.toThrow(
      'UNAUTHENTICATED',
    );
  });
});
