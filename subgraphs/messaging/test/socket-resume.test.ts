import { aDirectConversation, aMessage, aUser, storedUnpublished } from './factories';
import {
  chatSocket,
  collect,
  emitWithAck,
  eventually,
  startTestMessaging,
  type TestMessaging,
} from './harness';

// socket.io's `/chat` delivers `message:new` as messageAdded does: in sequence, once, gaps filled
// from the database, and resumed after `afterMessageId` when a join gives one.

describe('socket.io message:new in sequence', () => {
  let messaging: TestMessaging;
  const open: { close(): unknown }[] = [];
  beforeAll(async () => {
    messaging = await startTestMessaging();
  });
  afterEach(() => {
    for (const socket of open.splice(0)) socket.close();
  });
  afterAll(() => messaging.stop());

  const connected = async (token: string) => {
    const socket = await chatSocket(messaging, token);
    open.push(socket);
    return socket;
  };
  const bodiesOf = (received: { body: string }[]) => received.map((message) => message.body);
  /** Anything duplicated or late would arrive within this time. */
  const settle = () => new Promise((resolve) => setTimeout(resolve, 200));
  it('when a stored message was never published, then a joined socket receives it before the next one', async () => {
    const { first, second, conversationId } = await aDirectConversation(messaging);
    const socket = await connected(second.token);
    expect(await emitWithAck(socket, 'conversation:join', { conversationId })).toEqual({
      data: { conversationId },
    });
    const received = collect(socket, 'message:new');
    const [unpublished] = await storedUnpublished(messaging, conversationId, first.id);
    const published = await aMessage(messaging, first, conversationId, 'published');
    await eventually(() => received.length >= 2, 'both messages');
    await settle();
    expect(received.map((message: { id: string }) => message.id)).toEqual([
      unpublished,
      published.id,
    ]);
    expect(received.map((message: { sequence: number }) => message.sequence)).toEqual([1, 2]);
  });

  it('when a socket joins with afterMessageId, then the missed messages arrive once, in order, then the live ones', async () => {
    const { first, second, conversationId } = await aDirectConversation(messaging);
    const seen = await aMessage(messaging, first, conversationId, 'seen');
    const missed = [];
    for (const body of ['missed 1', 'missed 2', 'missed 3']) {
      missed.push(await aMessage(messaging, first, conversationId, body));
    }
    // Sent while the socket joins: each once, at its place, whether replayed or live.
    const sending = Promise.all(
      ['during 1', 'during 2', 'during 3'].map((body) =>
        aMessage(messaging, first, conversationId, body),
      ),
    );
    const socket = await connected(second.token);
    const received = collect(socket, 'message:new');
    expect(
      await emitWithAck(socket, 'conversation:join', { conversationId, afterMessageId: seen.id }),
    ).toEqual({ data: { conversationId } });
    await sending;
    // Joining again without a cursor changes nothing; with one, the stream restarts after it.
    expect(await emitWithAck(socket, 'conversation:join', { conversationId })).toEqual({
      data: { conversationId },
    });
    const live = await aMessage(messaging, first, conversationId, 'live');
    await eventually(() => received.length >= 7, 'the missed and the live messages');
    await settle();

    const stored = await messaging.sql(
      `SELECT "body" FROM "Message" WHERE "conversationId" = $1 AND "sequence" > 1 ORDER BY "sequence"`,
      [conversationId],
    );
    expect(bodiesOf(received)).toEqual(stored.map((row: { body: string }) => row.body));
    expect(bodiesOf(received).slice(0, 3)).toEqual(['missed 1', 'missed 2', 'missed 3']);
    expect(received.at(-1)).toMatchObject({ id: live.id, body: 'live' });
    expect(received[0]).toMatchObject({ id: missed[0]!.id, conversationId, sequence: 2 });
  });

  it('when afterMessageId is of another conversation, unknown or not an id, then the join is BAD_USER_INPUT and the socket hears nothing; an outsider gets FORBIDDEN', async () => {
    const { first, second, conversationId } = await aDirectConversation(messaging);
    const other = await aDirectConversation(messaging);
    const elsewhere = await aMessage(messaging, other.first, other.conversationId);
    const own = await aMessage(messaging, first, conversationId);
    const socket = await connected(second.token);
    const received = collect(socket, 'message:new');
    for (const afterMessageId of [
      elsewhere.id,
      '2f0f4a57-6d1c-4b4e-9a55-0c4b8d7e1f00',
      'not an id',
      'x'.repeat(101),
      42,
    ]) {
      const ack = await emitWithAck(socket, 'conversation:join', {
        conversationId,
        afterMessageId,
      });
      expect(ack.error.code).toBe('BAD_USER_INPUT');
    }
    const outsider = await connected((await aUser(messaging)).token);
    const refused = await emitWithAck(outsider, 'conversation:join', {
      conversationId,
      afterMessageId: own.id,
    });
    expect(refused.error.code).toBe('FORBIDDEN');
    await aMessage(messaging, first, conversationId, 'not heard');
    await settle();
    expect(received).toEqual([]);
  });

  it('when more than 500 messages follow afterMessageId, then the join is BAD_USER_INPUT', async () => {
    const { first, second, conversationId } = await aDirectConversation(messaging);
    const cursor = await aMessage(messaging, first, conversationId, 'cursor');
    await storedUnpublished(messaging, conversationId, first.id, { body: 'bulk', count: 501 });
    const socket = await connected(second.token);
    const ack = await emitWithAck(socket, 'conversation:join', {
      conversationId,
      afterMessageId: cursor.id,
    });
    expect(ack.error).toMatchObject({
      code: 'BAD_USER_INPUT',
      message: expect.stringContaining(
        'afterMessageId: more than 500 messages follow it',
      ) as string,
    });
  });

  it('when more than 500 messages are missing before a live one, then the joined socket is told conversation:interrupted and hears no more until it joins again', async () => {
    const { first, second, conversationId } = await aDirectConversation(messaging);
    const socket = await connected(second.token);
    await emitWithAck(socket, 'conversation:join', { conversationId });
    const received = collect(socket, 'message:new');
    const interrupted = collect(socket, 'conversation:interrupted');
    await storedUnpublished(messaging, conversationId, first.id, { body: 'bulk', count: 501 });
    await aMessage(messaging, first, conversationId, 'after the gap');
    await eventually(() => interrupted.length === 1, 'conversation:interrupted');
    expect(interrupted[0]).toMatchObject({ conversationId, error: { code: 'BAD_USER_INPUT' } });
    await aMessage(messaging, first, conversationId, 'not heard');
    await settle();
    expect(received).toEqual([]);

    await emitWithAck(socket, 'conversation:join', { conversationId });
    const heard = await aMessage(messaging, first, conversationId, 'heard');
    await eventually(() => received.length === 1, 'the message after joining again');
    expect(received[0]).toMatchObject({ id: heard.id });
  });
});
