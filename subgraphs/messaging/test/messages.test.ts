import {
  aDirectConversation,
  aMessage,
  aUser,
  dataOf,
  deleteMessage,
  editMessage,
  readConversation,
  readMessages,
  sendMessage,
} from './factories';
import { codeOf, startTestMessaging, type TestMessaging } from './harness';

describe('messages', () => {
  let messaging: TestMessaging;
  beforeAll(async () => {
    messaging = await startTestMessaging();
  });
  afterAll(() => messaging.stop());

  it('when a participant sends a message, then it is stored trimmed, from them, and is the last message', async () => {
    const { first, second, conversationId } = await aDirectConversation(messaging);
    const message = dataOf(await sendMessage(messaging, first, conversationId, '  Leg day?  '));
    expect(message).toMatchObject({
      conversationId,
      sender: { id: first.id },
      body: 'Leg day?',
      editedAt: null,
      deletedAt: null,
    });
    const conversation = dataOf(await readConversation(messaging, second, conversationId));
    expect(conversation.lastMessage).toEqual({ id: message.id, body: 'Leg day?' });
    expect(conversation.lastActivityAt).toBe(message.sentAt);
  });

  it('when a body is blank or longer than 4000 characters, then it is BAD_USER_INPUT', async () => {
    const { first, conversationId } = await aDirectConversation(messaging);
    for (const body of ['', '   ', 'x'.repeat(4001)]) {
      const result = await sendMessage(messaging, first, conversationId, body);
      expect(codeOf(result)).toBe('BAD_USER_INPUT');
    }
    expect(
      dataOf(await sendMessage(messaging, first, conversationId, 'x'.repeat(4000))).body,
    ).toHaveLength(4000);
  });

  it('when someone outside a conversation sends to it or reads its messages, then it is FORBIDDEN and nothing is stored', async () => {
    const { first, conversationId } = await aDirectConversation(messaging);
    await aMessage(messaging, first, conversationId, 'Just between us');
    const outsider = await aUser(messaging);
    const admin = await aUser(messaging, 'ADMIN');
    for (const user of [outsider, admin]) {
      expect(codeOf(await sendMessage(messaging, user, conversationId, 'Hi'))).toBe('FORBIDDEN');
      const read = await readMessages(messaging, user, conversationId);
      expect(codeOf(read)).toBe('FORBIDDEN');
      expect(read.data?.messages ?? null).toBeNull();
    }
    expect(codeOf(await sendMessage(messaging, undefined, conversationId, 'Hi'))).toBe(
      'UNAUTHENTICATED',
    );
    const unknown = '2f0f4a57-6d1c-4b4e-9a55-0c4b8d7e1f00';
    expect(codeOf(await sendMessage(messaging, outsider, unknown, 'Hi'))).toBe('NOT_FOUND');
    const messages = dataOf(await readMessages(messaging, first, conversationId));
    expect(messages.edges.map((edge: any) => edge.node.body)).toEqual(['Just between us']);
  });

  it('when messages are read backwards, then the newest page comes first, each page oldest first, and `before` walks back to the first message', async () => {
    const { first, second, conversationId } = await aDirectConversation(messaging);
    const bodies = Array.from({ length: 7 }, (_, index) => `message ${index + 1}`);
    for (const [index, body] of bodies.entries()) {
      await aMessage(messaging, index % 2 ? second : first, conversationId, body);
    }
    const pages: string[][] = [];
    let before: string | null = null;
    let hasPreviousPage = true;
    while (hasPreviousPage) {
      const page = dataOf(
        await readMessages(messaging, second, conversationId, { last: 3, before }),
      );
      pages.push(page.edges.map((edge: any) => edge.node.body));
      expect(page.pageInfo.startCursor).toBe(page.edges[0].cursor);
      ({ hasPreviousPage, startCursor: before } = page.pageInfo);
    }
    expect(pages).toEqual([
      ['message 5', 'message 6', 'message 7'],
      ['message 2', 'message 3', 'message 4'],
      ['message 1'],
    ]);

    const empty = await aDirectConversation(messaging);
    expect(dataOf(await readMessages(messaging, empty.first, empty.conversationId))).toEqual({
      edges: [],
      pageInfo: { hasPreviousPage: false, startCursor: null },
    });
    for (const page of [{ last: 0 }, { last: 101 }, { before: 'bogus' }]) {
      expect(codeOf(await readMessages(messaging, first, conversationId, page))).toBe(
        'BAD_USER_INPUT',
      );
    }
  });

  it('when the sender edits their message, then the body changes and it is marked edited', async () => {
    const { first, conversationId } = await aDirectConversation(messaging);
    const message = await aMessage(messaging, first, conversationId, 'See you at 6');
    const edited = dataOf(await editMessage(messaging, first, message.id, ' See you at 7 '));
    expect(edited).toMatchObject({ id: message.id, body: 'See you at 7', sentAt: message.sentAt });
    expect(edited.editedAt).not.toBeNull();
    expect(codeOf(await editMessage(messaging, first, message.id, ' '))).toBe('BAD_USER_INPUT');
  });

  it('when anyone but the sender edits or deletes a message, then it is FORBIDDEN and the message is unchanged', async () => {
    const { first, second, conversationId } = await aDirectConversation(messaging);
    const message = await aMessage(messaging, first, conversationId, 'Mine');
    const admin = await aUser(messaging, 'ADMIN');
    for (const user of [second, await aUser(messaging), admin]) {
      expect(codeOf(await editMessage(messaging, user, message.id, 'Yours'))).toBe('FORBIDDEN');
      expect(codeOf(await deleteMessage(messaging, user, message.id))).toBe('FORBIDDEN');
    }
    expect(codeOf(await editMessage(messaging, undefined, message.id, 'Yours'))).toBe(
      'UNAUTHENTICATED',
    );
    const unknown = '2f0f4a57-6d1c-4b4e-9a55-0c4b8d7e1f00';
    expect(codeOf(await editMessage(messaging, first, unknown, 'Hi'))).toBe('NOT_FOUND');
    expect(codeOf(await deleteMessage(messaging, first, unknown))).toBe('NOT_FOUND');
    const messages = dataOf(await readMessages(messaging, second, conversationId));
    expect(messages.edges.map((edge: any) => edge.node.body)).toEqual(['Mine']);
  });

  it('when the sender deletes their message, then it keeps its place without a body, cannot be edited, and deleting again changes nothing', async () => {
    const { first, second, conversationId } = await aDirectConversation(messaging);
    await aMessage(messaging, first, conversationId, 'before');
    const doomed = await aMessage(messaging, first, conversationId, 'oops');
    await aMessage(messaging, second, conversationId, 'after');
    const deleted = dataOf(await deleteMessage(messaging, first, doomed.id));
    expect(deleted).toMatchObject({ id: doomed.id, body: null });
    expect(deleted.deletedAt).not.toBeNull();
    expect(codeOf(await editMessage(messaging, first, doomed.id, 'again'))).toBe('CONFLICT');
    expect(dataOf(await deleteMessage(messaging, first, doomed.id))).toEqual(deleted);

    const messages = dataOf(await readMessages(messaging, second, conversationId));
    expect(messages.edges.map((edge: any) => [edge.node.id === doomed.id, edge.node.body])).toEqual(
      [
        [false, 'before'],
        [true, null],
        [false, 'after'],
      ],
    );
  });
});
