import {
  aDirectConversation,
  aMessage,
  aUser,
  dataOf,
  deleteMessage,
  markRead,
  readConversation,
  startDirectConversation,
  userFields,
  type TestUser,
} from './factories';
import { codeOf, startTestMessaging, type TestMessaging } from './harness';

describe('read state and unread counts', () => {
  let messaging: TestMessaging;
  beforeAll(async () => {
    messaging = await startTestMessaging();
  });
  afterAll(() => messaging.stop());

  const unreadIn = async (user: TestUser, conversationId: string) =>
    dataOf(await readConversation(messaging, user, conversationId)).unreadCount;
  const totalUnread = async (user: TestUser) =>
    (await userFields(messaging, [user.id], 'unreadCount', user.token)).data._entities[0]
      .unreadCount;

  it("when another participant's messages arrive, then the count goes up; the sender's own never count; marking read brings it back to 0", async () => {
    const { first: maya, second: carlos, conversationId } = await aDirectConversation(messaging);
    await aMessage(messaging, carlos, conversationId, 'How was the session?');
    await aMessage(messaging, carlos, conversationId, 'Any soreness?');
    await aMessage(messaging, maya, conversationId, 'Great, thanks!');
    expect(await unreadIn(maya, conversationId)).toBe(2);
    expect(await unreadIn(carlos, conversationId)).toBe(1);

    const read = dataOf(await markRead(messaging, maya, conversationId));
    expect(read.unreadCount).toBe(0);
    const mayaAsParticipant = read.participants.find((p: any) => p.user.id === maya.id);
    expect(mayaAsParticipant.lastReadAt).not.toBeNull();
    expect(await unreadIn(carlos, conversationId)).toBe(1);

    await aMessage(messaging, carlos, conversationId, 'Stretch tonight');
    expect(await unreadIn(maya, conversationId)).toBe(1);
  });

  it('when a user marks read up to a message, then only later messages stay unread, and an earlier mark never moves it back', async () => {
    const { first: maya, second: carlos, conversationId } = await aDirectConversation(messaging);
    const sent = [];
    for (let index = 1; index <= 4; index += 1) {
      sent.push(await aMessage(messaging, carlos, conversationId, `tip ${index}`));
    }
    const upToSecond = dataOf(await markRead(messaging, maya, conversationId, sent[1]!.id));
    expect(upToSecond.unreadCount).toBe(2);
    const mark = upToSecond.participants.find((p: any) => p.user.id === maya.id);
    expect(mark).toMatchObject({
      lastReadAt: sent[1]!.sentAt,
      lastReadMessage: { id: sent[1]!.id },
    });

    const backwards = dataOf(await markRead(messaging, maya, conversationId, sent[0]!.id));
    expect(backwards.unreadCount).toBe(2);

    const other = await aDirectConversation(messaging);
    const elsewhere = await aMessage(messaging, other.first, other.conversationId, 'elsewhere');
    expect(codeOf(await markRead(messaging, maya, conversationId, elsewhere.id))).toBe('NOT_FOUND');
    expect(codeOf(await markRead(messaging, await aUser(messaging), conversationId))).toBe(
      'FORBIDDEN',
    );
  });

  it('when a message from another is deleted, then it no longer counts as unread', async () => {
    const { first: maya, second: carlos, conversationId } = await aDirectConversation(messaging);
    const oops = await aMessage(messaging, carlos, conversationId, 'wrong chat');
    await aMessage(messaging, carlos, conversationId, 'hi');
    expect(await unreadIn(maya, conversationId)).toBe(2);
    dataOf(await deleteMessage(messaging, carlos, oops.id));
    expect(await unreadIn(maya, conversationId)).toBe(1);
  });

  it("when a user's unread count is read, then it adds up all of their conversations", async () => {
    const maya = await aUser(messaging);
    const conversationIds: string[] = [];
    for (const messages of [1, 2]) {
      const friend = await aUser(messaging);
      const conversation = dataOf(await startDirectConversation(messaging, friend, maya.id));
      for (let count = 1; count <= messages; count += 1) {
        await aMessage(messaging, friend, conversation.id, `ping ${count}`);
      }
      conversationIds.push(conversation.id);
    }
    expect(await totalUnread(maya)).toBe(3);
    dataOf(await markRead(messaging, maya, conversationIds[1]!));
    expect(await totalUnread(maya)).toBe(1);
  });
});

describe("who sees a user's conversations and unread count", () => {
  let messaging: TestMessaging;
  let maya: TestUser;
  let conversationId: string;
  beforeAll(async () => {
    messaging = await startTestMessaging();
    const direct = await aDirectConversation(messaging);
    maya = direct.first;
    conversationId = direct.conversationId;
    await aMessage(messaging, direct.second, conversationId, 'Hello Maya');
  });
  afterAll(() => messaging.stop());

  const visible = async (token?: string) => {
    const result = await userFields(
      messaging,
      [maya.id],
      'conversations { edges { node { id unreadCount } } } unreadCount',
      token,
    );
    return result.errors ? codeOf(result) : result.data._entities[0];
  };

  it('when the user or an admin reads them, then they see the conversations and the count, as the user reads them', async () => {
    const expected = {
      conversations: { edges: [{ node: { id: conversationId, unreadCount: 1 } }] },
      unreadCount: 1,
    };
    expect(await visible(maya.token)).toEqual(expected);
    expect(await visible((await aUser(messaging, 'ADMIN')).token)).toEqual(expected);
  });

  it.each(['MEMBER', 'COACH', 'GYM_OWNER'] as const)(
    'when a %s other than the user reads them, then it is FORBIDDEN',
    async (role) => {
      expect(await visible((await aUser(messaging, role)).token)).toBe('FORBIDDEN');
    },
  );

  it('when nobody is signed in, then it is UNAUTHENTICATED', async () => {
    expect(await visible()).toBe('UNAUTHENTICATED');
  });
});
