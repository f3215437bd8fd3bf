import {
  aDirectConversation,
  aMessage,
  aUser,
  deleteMessage,
  editMessage,
  storedUnpublished,
} from './factories';
import {
  startTestMessaging,
  subscribe,
  type TestMessaging,
  type TestSubscription,
} from './harness';

// messageAdded resumed with `after`: what a client (or the gateway, for its own upstream
// subscription) asks for after its connection dropped.

const RESUMED =
  'subscription R($id: ID!, $after: ID) { messageAdded(conversationId: $id, after: $after) { id body deletedAt } }';

describe('resuming messageAdded', () => {
  let messaging: TestMessaging;
  const open: TestSubscription[] = [];
  beforeAll(async () => {
    messaging = await startTestMessaging();
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((subscription) => subscription.close()));
  });
  afterAll(() => messaging.stop());

  const subscribed = async (variables: Record<string, unknown>, token?: string) => {
    const subscription = await subscribe(messaging, RESUMED, variables, token);
    open.push(subscription);
    return subscription;
  };
  const idsOf = (subscription: TestSubscription) =>
    subscription.results.map(
      (result) => (result.data as { messageAdded: { id: string } }).messageAdded.id,
    );
  /** Anything duplicated or late would arrive within this time. */
  const settle = () => new Promise((resolve) => setTimeout(resolve, 200));

  it('when the subscription drops and comes back after the last message it received, then the messages sent meanwhile arrive once, in order, then the new ones', async () => {
    const { first, second, conversationId } = await aDirectConversation(messaging);
    const before = await subscribed({ id: conversationId }, second.token);
    const seen = await aMessage(messaging, first, conversationId, 'seen');
    await before.received(1);
    await before.close();
    const missed = [];
    for (const body of ['missed 1', 'missed 2', 'missed 3']) {
      missed.push(await aMessage(messaging, first, conversationId, body));
    }

    const resumed = await subscribed({ id: conversationId, after: seen.id }, second.token);
    await resumed.received(3);
    const live = await aMessage(messaging, first, conversationId, 'live');
    await resumed.received(4);
    await settle();
    expect(idsOf(resumed)).toEqual([...missed.map((message) => message.id), live.id]);
    expect(resumed.results[0]).toEqual({
      data: { messageAdded: { id: missed[0]!.id, body: 'missed 1', deletedAt: null } },
    });
  });

  it('when messages are sent while a subscription resumes, then each arrives exactly once, in the order they were stored, with no gap at the seam between stored and live', async () => {
    const { first, second, conversationId } = await aDirectConversation(messaging);
    const cursor = await aMessage(messaging, first, conversationId, 'cursor');
    const sending = Promise.all(
      Array.from({ length: 12 }, (_, i) => aMessage(messaging, first, conversationId, `m${i}`)),
    );
    const resumed = await subscribed({ id: conversationId, after: cursor.id }, second.token);
    const sent = await sending;
    await resumed.received(sent.length);
    await settle();
    const stored = await messaging.sql(
      `SELECT "id" FROM "Message" WHERE "conversationId" = $1 AND "id" <> $2 ORDER BY "sequence"`,
      [conversationId, cursor.id],
    );
    expect(idsOf(resumed)).toEqual(stored.map((row: { id: string }) => row.id));
  });

  it('when a stored message was never published (its instance died before), then it is delivered before the next one that is', async () => {
    const { first, second, conversationId } = await aDirectConversation(messaging);
    const subscription = await subscribed({ id: conversationId }, second.token);
    const [unpublished] = await storedUnpublished(messaging, conversationId, first.id);
    const published = await aMessage(messaging, first, conversationId, 'published');
    await subscription.received(2);
    await settle();
    expect(idsOf(subscription)).toEqual([unpublished, published.id]);
  });

  it('when an instance from before sequences (a rolling deploy) stores a message without one, then it takes the conversation’s next and a resumed subscription replays it in place', async () => {
    const { first, second, conversationId } = await aDirectConversation(messaging);
    const seen = await aMessage(messaging, first, conversationId, 'seen');
    // The insert the previous release's MessageRepository made: no "sequence" column.
    const [older] = (await messaging.sql(
      `INSERT INTO "Message" ("id", "conversationId", "senderId", "body", "sentAt")
       VALUES (gen_random_uuid(), $1, $2, 'from an older instance', now())
       RETURNING "id", "sequence"`,
      [conversationId, first.id],
    )) as [{ id: string; sequence: number }];
    const after = await aMessage(messaging, first, conversationId, 'after');
    const [conversation] = (await messaging.sql(
      `SELECT "lastSequence" FROM "Conversation" WHERE "id" = $1`,
      [conversationId],
    )) as [{ lastSequence: number }];
    expect({ older: older.sequence, last: conversation.lastSequence }).toEqual({
      older: 2,
      last: 3,
    });

    const resumed = await subscribed({ id: conversationId, after: seen.id }, second.token);
    await resumed.received(2);
    await settle();
    expect(idsOf(resumed)).toEqual([older.id, after.id]);
  });

  it('when messages after the cursor were edited or deleted, then they are replayed as they are now: deleted ones keep their place with a null body', async () => {
    const { first, second, conversationId } = await aDirectConversation(messaging);
    const cursor = await aMessage(messaging, first, conversationId, 'cursor');
    const edited = await aMessage(messaging, first, conversationId, 'before the edit');
    const deleted = await aMessage(messaging, first, conversationId, 'to be deleted');
    await editMessage(messaging, first, edited.id, 'after the edit');
    await deleteMessage(messaging, first, deleted.id);

    const resumed = await subscribed({ id: conversationId, after: cursor.id }, second.token);
    const results = await resumed.received(2);
    expect(results[0]).toEqual({
      data: { messageAdded: { id: edited.id, body: 'after the edit', deletedAt: null } },
    });
    expect(results[1]).toEqual({
      data: {
        messageAdded: { id: deleted.id, body: null, deletedAt: expect.any(String) as string },
      },
    });
  });

  it('when the cursor is of another conversation, unknown or not an id, then BAD_USER_INPUT; an outsider gets FORBIDDEN whatever the cursor', async () => {
    const { first, second, conversationId } = await aDirectConversation(messaging);
    const other = await aDirectConversation(messaging);
    const elsewhere = await aMessage(messaging, other.first, other.conversationId);
    const own = await aMessage(messaging, first, conversationId);
    const outsider = await aUser(messaging);
    const attempts = [
      [{ id: conversationId, after: elsewhere.id }, second.token, 'BAD_USER_INPUT'],
      [
        { id: conversationId, after: '2f0f4a57-6d1c-4b4e-9a55-0c4b8d7e1f00' },
        second.token,
        'BAD_USER_INPUT',
      ],
      [{ id: conversationId, after: 'not an id' }, second.token, 'BAD_USER_INPUT'],
      [{ id: conversationId, after: own.id }, outsider.token, 'FORBIDDEN'],
    ] as const;
    for (const [variables, token, code] of attempts) {
      const subscription = await subscribed(variables, token);
      await subscription.completed;
      expect(subscription.results[0]?.errors?.[0]?.extensions?.code).toBe(code);
    }
  });

  it('when more than 500 messages follow the cursor, then BAD_USER_INPUT says to read them with `messages` first; 500 are replayed', async () => {
    const { first, second, conversationId } = await aDirectConversation(messaging);
    const cursor = await aMessage(messaging, first, conversationId, 'cursor');
    const store = (count: number) =>
      storedUnpublished(messaging, conversationId, first.id, { body: 'bulk', count });
    await store(500);
    const replayed = await subscribed({ id: conversationId, after: cursor.id }, second.token);
    await replayed.received(500);
    await store(1);
    const refused = await subscribed({ id: conversationId, after: cursor.id }, second.token);
    await refused.completed;
    expect(refused.results[0]?.errors?.[0]).toMatchObject({
      message: expect.stringContaining('more than 500 messages follow it') as string,
      extensions: { code: 'BAD_USER_INPUT' },
    });
  });
});
