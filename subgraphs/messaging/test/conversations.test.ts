import {
  aDirectConversation,
  aMessage,
  aUser,
  dataOf,
  readConversation,
  readConversations,
  startDirectConversation,
} from './factories';
import { codeOf, startTestMessaging, type TestMessaging } from './harness';

describe('direct conversations', () => {
  let messaging: TestMessaging;
  beforeAll(async () => {
    messaging = await startTestMessaging();
  });
  afterAll(() => messaging.stop());

  it('when a user starts a conversation with another, then both are its participants and nothing is unread', async () => {
    const [maya, carlos] = [await aUser(messaging), await aUser(messaging)];
    const conversation = dataOf(await startDirectConversation(messaging, maya, carlos.id));
    expect(conversation).toMatchObject({
      kind: 'DIRECT',
      squad: null,
      lastMessage: null,
      unreadCount: 0,
    });
    expect(conversation.participants.map((p: any) => p.user.id).sort()).toEqual(
      [maya.id, carlos.id].sort(),
    );
    expect(conversation.participants.every((p: any) => p.lastReadAt === null)).toBe(true);
  });

  it('when either of a pair starts a conversation again, even at the same time, then they get the one they already have', async () => {
    const [maya, carlos] = [await aUser(messaging), await aUser(messaging)];
    const started = await Promise.all([
      startDirectConversation(messaging, maya, carlos.id),
      startDirectConversation(messaging, carlos, maya.id),
      startDirectConversation(messaging, maya, carlos.id),
    ]);
    const ids = new Set(started.map((result) => dataOf(result).id));
    expect(ids.size).toBe(1);
    const again = dataOf(await startDirectConversation(messaging, carlos, maya.id));
    expect(ids.has(again.id)).toBe(true);
  });

  it('when a user starts a conversation with themselves or with a bad id, then it is BAD_USER_INPUT', async () => {
    const maya = await aUser(messaging);
    expect(codeOf(await startDirectConversation(messaging, maya, maya.id))).toBe('BAD_USER_INPUT');
    expect(codeOf(await startDirectConversation(messaging, maya, 'nobody'))).toBe('BAD_USER_INPUT');
  });

  it('when nobody is signed in, then starting or reading conversations is UNAUTHENTICATED', async () => {
    const { first, conversationId } = await aDirectConversation(messaging);
    expect(codeOf(await startDirectConversation(messaging, undefined, first.id))).toBe(
      'UNAUTHENTICATED',
    );
    expect(codeOf(await readConversation(messaging, undefined, conversationId))).toBe(
      'UNAUTHENTICATED',
    );
    expect(codeOf(await readConversations(messaging, undefined))).toBe('UNAUTHENTICATED');
  });

  it('when someone outside a conversation reads it, then it is FORBIDDEN; an unknown one is null', async () => {
    const { conversationId } = await aDirectConversation(messaging);
    for (const role of ['MEMBER', 'ADMIN'] as const) {
      const outsider = await aUser(messaging, role);
      const result = await readConversation(messaging, outsider, conversationId);
      expect(codeOf(result)).toBe('FORBIDDEN');
      expect(result.data?.conversation ?? null).toBeNull();
    }
    const maya = await aUser(messaging);
    const unknown = await readConversation(messaging, maya, '2f0f4a57-6d1c-4b4e-9a55-0c4b8d7e1f00');
    expect(unknown.errors).toBeUndefined();
    expect(unknown.data.conversation).toBeNull();
  });

  it("when a user lists their conversations, then they are the user's own, most recent activity first, page by page", async () => {
    const maya = await aUser(messaging);
    const partners = [await aUser(messaging), await aUser(messaging), await aUser(messaging)];
    const ids: string[] = [];
    for (const partner of partners) {
      ids.push(dataOf(await startDirectConversation(messaging, maya, partner.id)).id);
    }
    // An unrelated conversation stays out of Maya's list.
    await aDirectConversation(messaging);
    // The first conversation comes back to the top with a new message.
    await aMessage(messaging, partners[0]!, ids[0]!, 'Still on for Thursday?');
    const expected = [ids[0], ids[2], ids[1]];

    const first = dataOf(await readConversations(messaging, maya, { first: 2 }));
    expect(first.edges.map((edge: any) => edge.node.id)).toEqual(expected.slice(0, 2));
    expect(first.pageInfo.hasNextPage).toBe(true);
    expect(first.edges[0].node).toMatchObject({
      lastMessage: { body: 'Still on for Thursday?' },
      unreadCount: 1,
    });
    const second = dataOf(
      await readConversations(messaging, maya, { first: 2, after: first.pageInfo.endCursor }),
    );
    expect(second.edges.map((edge: any) => edge.node.id)).toEqual(expected.slice(2));
    expect(second.pageInfo.hasNextPage).toBe(false);

    expect(codeOf(await readConversations(messaging, maya, { first: 0 }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await readConversations(messaging, maya, { after: 'bogus' }))).toBe(
      'BAD_USER_INPUT',
    );
  });
});
