import {
  aDirectConversation,
  aMessage,
  aUser,
  dataOf,
  deleteMessage,
  editMessage,
  markRead,
  readConversation,
  sendMessage,
} from './factories';
import {
  chatSocket,
  collect,
  emitWithAck,
  eventually,
  startTestMessaging,
  subscribe,
  type TestMessaging,
  type TestSubscription,
} from './harness';

const MESSAGE_ADDED =
  'subscription A($id: ID!) { messageAdded(conversationId: $id) { id conversationId body sender { id } sentAt } }';
const TYPING =
  'subscription T($id: ID!) { typing(conversationId: $id) { conversationId user { id } at } }';
const UNKNOWN = '2f0f4a57-6d1c-4b4e-9a55-0c4b8d7e1f00';

describe('real time', () => {
  let messaging: TestMessaging;
  const open: { close(): unknown }[] = [];
  beforeAll(async () => {
    messaging = await startTestMessaging();
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((client) => client.close()));
  });
  afterAll(() => messaging.stop());

  const subscribed = async (query: string, variables: Record<string, unknown>, token?: string) => {
    const subscription = await subscribe(messaging, query, variables, token);
    open.push(subscription);
    return subscription;
  };
  const connected = async (token?: string) => {
    const socket = await chatSocket(messaging, token);
    open.push(socket);
    return socket;
  };
  const joined = async (token: string, conversationId: string) => {
    const socket = await connected(token);
    expect(await emitWithAck(socket, 'conversation:join', { conversationId })).toEqual({
      data: { conversationId },
    });
    return socket;
  };
  const codeOfFirst = async (subscription: TestSubscription) => {
    await subscription.completed;
    return subscription.results[0]?.errors?.[0]?.extensions?.code;
  };

  describe('over graphql-ws', () => {
    it('when messages are sent by mutation and over socket.io, then a participant subscribed to the conversation receives each once', async () => {
      const { first, second, conversationId } = await aDirectConversation(messaging);
      const subscription = await subscribed(MESSAGE_ADDED, { id: conversationId }, second.token);
      const byMutation = await aMessage(messaging, first, conversationId, 'by mutation');
      const socket = await connected(first.token);
      const bySocket = await emitWithAck(socket, 'message:send', {
        conversationId,
        body: ' by socket ',
      });
      expect(bySocket.data).toMatchObject({
        conversationId,
        senderId: first.id,
        body: 'by socket',
      });

      const results = await subscription.received(2);
      expect(results).toEqual([
        {
          data: {
            messageAdded: {
              id: byMutation.id,
              conversationId,
              body: 'by mutation',
              sender: { id: first.id },
              sentAt: byMutation.sentAt,
            },
          },
        },
        {
          data: {
            messageAdded: {
              id: bySocket.data.id,
              conversationId,
              body: 'by socket',
              sender: { id: first.id },
              sentAt: bySocket.data.sentAt,
            },
          },
        },
      ]);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(subscription.results).toHaveLength(2);
    });

    it('when someone outside the conversation subscribes, then they get FORBIDDEN at once (NOT_FOUND for an unknown one, UNAUTHENTICATED without a token) and hear nothing', async () => {
      const { first, conversationId } = await aDirectConversation(messaging);
      const outsider = await aUser(messaging);
      const admin = await aUser(messaging, 'ADMIN');
      const attempts = [
        [await subscribed(MESSAGE_ADDED, { id: conversationId }, outsider.token), 'FORBIDDEN'],
        [await subscribed(TYPING, { id: conversationId }, outsider.token), 'FORBIDDEN'],
        [await subscribed(MESSAGE_ADDED, { id: conversationId }, admin.token), 'FORBIDDEN'],
        [await subscribed(MESSAGE_ADDED, { id: UNKNOWN }, outsider.token), 'NOT_FOUND'],
        [await subscribed(MESSAGE_ADDED, { id: conversationId }), 'UNAUTHENTICATED'],
      ] as const;
      for (const [subscription, code] of attempts) {
        expect(await codeOfFirst(subscription)).toBe(code);
      }
      await aMessage(messaging, first, conversationId, 'private');
      await new Promise((resolve) => setTimeout(resolve, 100));
      for (const [subscription] of attempts) expect(subscription.results).toHaveLength(1);
    });

    it('when a participant types over socket.io, then the others subscribed to typing hear it', async () => {
      const { first, second, conversationId } = await aDirectConversation(messaging);
      const subscription = await subscribed(TYPING, { id: conversationId }, second.token);
      const socket = await connected(first.token);
      const ack = await emitWithAck(socket, 'typing', { conversationId });
      const [result] = await subscription.received(1);
      expect(result).toEqual({
        data: { typing: { conversationId, user: { id: first.id }, at: ack.data.at } },
      });
    });
  });

  describe('over socket.io', () => {
    it('when a client connects without a valid token, then it is refused as UNAUTHENTICATED', async () => {
      await expect(chatSocket(messaging)).rejects.toThrow('UNAUTHENTICATED');
      await expect(chatSocket(messaging, 'not-a-token')).rejects.toThrow('UNAUTHENTICATED');
    });

    it("when a participant's socket joined the conversation, then it receives new, edited and deleted messages, read marks and typing, until it leaves", async () => {
      const { first, second, conversationId } = await aDirectConversation(messaging);
      const socket = await joined(second.token, conversationId);
      const events = [
        'message:new',
        'message:edited',
        'message:deleted',
        'conversation:read',
        'typing',
      ];
      const received = Object.fromEntries(events.map((event) => [event, collect(socket, event)]));

      const message = await aMessage(messaging, first, conversationId, 'draft');
      dataOf(await editMessage(messaging, first, message.id, 'final'));
      dataOf(await deleteMessage(messaging, first, message.id));
      dataOf(await markRead(messaging, first, conversationId));
      const otherSocket = await connected(first.token);
      await emitWithAck(otherSocket, 'typing', { conversationId });
      await eventually(() => events.every((event) => received[event]!.length === 1), 'every event');

      expect(received['message:new']).toEqual([
        expect.objectContaining({
          id: message.id,
          senderId: first.id,
          body: 'draft',
          deletedAt: null,
        }),
      ]);
      expect(received['message:edited']).toEqual([
        expect.objectContaining({ id: message.id, body: 'final' }),
      ]);
      expect(received['message:deleted']).toEqual([
        expect.objectContaining({ id: message.id, body: null }),
      ]);
      expect(received['conversation:read']).toEqual([
        {
          conversationId,
          userId: first.id,
          lastReadAt: message.sentAt,
          lastReadMessageId: message.id,
        },
      ]);
      expect(received.typing).toEqual([
        expect.objectContaining({ conversationId, userId: first.id }),
      ]);

      expect(await emitWithAck(socket, 'conversation:leave', { conversationId })).toEqual({
        data: { conversationId },
      });
      await aMessage(messaging, first, conversationId, 'after leaving');
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(received['message:new']).toHaveLength(1);
    });

    it('when someone outside the conversation joins, sends, types or marks read, then each is FORBIDDEN and their socket hears nothing', async () => {
      const { first, conversationId } = await aDirectConversation(messaging);
      const outsider = await aUser(messaging);
      const socket = await connected(outsider.token);
      const heard = ['message:new', 'typing', 'conversation:read'].map((event) =>
        collect(socket, event),
      );
      for (const [event, payload] of [
        ['conversation:join', { conversationId }],
        ['message:send', { conversationId, body: 'let me in' }],
        ['typing', { conversationId }],
        ['message:read', { conversationId }],
      ] as const) {
        const ack = await emitWithAck(socket, event, payload);
        expect([event, ack.error?.code]).toEqual([event, 'FORBIDDEN']);
      }
      expect(
        (await emitWithAck(socket, 'conversation:join', { conversationId: UNKNOWN })).error.code,
      ).toBe('NOT_FOUND');

      const participant = await joined(first.token, conversationId);
      const participantHeard = collect(participant, 'message:new');
      await aMessage(messaging, first, conversationId, 'private');
      await eventually(() => participantHeard.length === 1, 'the participant to hear the message');
      expect(heard.flat()).toEqual([]);
      const messages = await messaging.graphql(
        'query M($id: ID!) { messages(conversationId: $id) { edges { node { body } } } }',
        { id: conversationId },
        first.token,
      );
      expect(messages.data.messages.edges).toEqual([{ node: { body: 'private' } }]);
    });

    it('when an event has a malformed payload or body, then it is BAD_USER_INPUT', async () => {
      const { first, conversationId } = await aDirectConversation(messaging);
      const socket = await connected(first.token);
      for (const [event, payload] of [
        ['conversation:join', 'nope'],
        ['message:send', { conversationId }],
        ['message:send', { conversationId, body: '   ' }],
        ['message:read', { conversationId, upToMessageId: 42 }],
      ] as const) {
        expect((await emitWithAck(socket, event, payload)).error.code).toBe('BAD_USER_INPUT');
      }
    });

    it("when another participant's message arrives, then the unread count goes up, and after message:read it is back to 0", async () => {
      const { first, second, conversationId } = await aDirectConversation(messaging);
      const socket = await joined(second.token, conversationId);
      const arrived = collect(socket, 'message:new');
      dataOf(await sendMessage(messaging, first, conversationId, 'New PR!'));
      await eventually(() => arrived.length === 1, 'the message');
      expect(dataOf(await readConversation(messaging, second, conversationId)).unreadCount).toBe(1);

      const ack = await emitWithAck(socket, 'message:read', { conversationId });
      expect(ack.data).toMatchObject({ conversationId, userId: second.id });
      expect(dataOf(await readConversation(messaging, second, conversationId)).unreadCount).toBe(0);
    });
  });
});
