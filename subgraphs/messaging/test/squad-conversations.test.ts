import { randomUUID } from 'node:crypto';
import {
  aMessage,
  aUser,
  dataOf,
  readConversation,
  readMessages,
  sendMessage,
  squadConversation,
} from './factories';
import { codeOf, FakeSquads, startTestMessaging, type TestMessaging } from './harness';

describe('squad conversations', () => {
  let messaging: TestMessaging;
  const squads = new FakeSquads();
  beforeAll(async () => {
    messaging = await startTestMessaging({ squadMembership: squads });
  });
  afterAll(() => messaging.stop());

  it("when a squad's member opens its conversation, then there is one per squad and each member who opens it becomes a participant", async () => {
    const squadId = randomUUID();
    const [maya, carlos] = [await aUser(messaging), await aUser(messaging)];
    squads.add(squadId, maya.id, carlos.id);

    const [opened] = dataOf(await squadConversation(messaging, maya, squadId));
    expect(opened).toMatchObject({
      id: squadId,
      conversation: { kind: 'SQUAD', squad: { id: squadId }, unreadCount: 0 },
    });
    expect(opened.conversation.participants.map((p: any) => p.user.id)).toEqual([maya.id]);

    const [again] = dataOf(await squadConversation(messaging, carlos, squadId));
    expect(again.conversation.id).toBe(opened.conversation.id);
    expect(again.conversation.participants.map((p: any) => p.user.id)).toEqual([
      maya.id,
      carlos.id,
    ]);
  });

  it('when someone outside the squad opens its conversation, then it is FORBIDDEN and they do not join', async () => {
    const squadId = randomUUID();
    const maya = await aUser(messaging);
    squads.add(squadId, maya.id);
    const [opened] = dataOf(await squadConversation(messaging, maya, squadId));
    for (const outsider of [await aUser(messaging), await aUser(messaging, 'ADMIN')]) {
      const result = await squadConversation(messaging, outsider, squadId);
      expect(codeOf(result)).toBe('FORBIDDEN');
      expect(codeOf(await readConversation(messaging, outsider, opened.conversation.id))).toBe(
        'FORBIDDEN',
      );
    }
    expect(codeOf(await squadConversation(messaging, undefined, squadId))).toBe('UNAUTHENTICATED');
    const participants = dataOf(
      await readConversation(messaging, maya, opened.conversation.id),
    ).participants;
    expect(participants.map((p: any) => p.user.id)).toEqual([maya.id]);
  });

  it('when a member who has not opened the conversation yet writes to or reads it, then they join; when they leave the squad, they can no longer join', async () => {
    const squadId = randomUUID();
    const [maya, carlos, late] = [
      await aUser(messaging),
      await aUser(messaging),
      await aUser(messaging),
    ];
    squads.add(squadId, maya.id, carlos.id);
    const [{ conversation }] = dataOf(await squadConversation(messaging, maya, squadId));
    await aMessage(messaging, maya, conversation.id, 'Saturday run at 9?');

    const reply = dataOf(await sendMessage(messaging, carlos, conversation.id, "I'm in"));
    expect(reply.sender.id).toBe(carlos.id);
    expect(codeOf(await sendMessage(messaging, late, conversation.id, 'Me too'))).toBe('FORBIDDEN');
    expect(codeOf(await readMessages(messaging, late, conversation.id))).toBe('FORBIDDEN');

    squads.add(squadId, late.id);
    const history = dataOf(await readMessages(messaging, late, conversation.id));
    expect(history.edges.map((edge: any) => edge.node.body)).toEqual([
      'Saturday run at 9?',
      "I'm in",
    ]);
    // Messages from before they joined are history, not unread.
    expect(dataOf(await readConversation(messaging, late, conversation.id)).unreadCount).toBe(0);
  });
});
