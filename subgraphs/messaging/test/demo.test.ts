import { uniqueName } from '@fitnexa/shared/testing';
import { DEMO_USERS } from '@fitnexa/shared/types';
import { userFields } from './factories';
import { startTestMessaging } from './harness';

describe('demo data', () => {
  it('when the embedded default starts, then the demo member has a conversation with the demo coach with one message unread, seeded once', async () => {
    const schema = uniqueName('fitnexa_messaging');
    const options = { schema, seedDemoData: true };
    const first = await startTestMessaging(options);
    expect(first.server.seeded).toBe(true);
    await first.stop({ keepSchema: true });

    const again = await startTestMessaging(options);
    try {
      expect(again.server.seeded).toBe(false);
      const { member, coach } = DEMO_USERS;
      const asMember = await again.tokenFor({ userId: member.id, role: member.role });
      const result = await userFields(
        again,
        [member.id],
        'unreadCount conversations { edges { node { id kind unreadCount participants { user { id } } lastMessage { sender { id } } } } }',
        asMember,
      );
      expect(result.errors).toBeUndefined();
      const [user] = result.data._entities;
      expect(user.unreadCount).toBe(1);
      expect(user.conversations.edges).toHaveLength(1);
      const conversation = user.conversations.edges[0].node;
      expect(conversation).toMatchObject({
        kind: 'DIRECT',
        unreadCount: 1,
        lastMessage: { sender: { id: coach.id } },
      });
      expect(conversation.participants.map((p: any) => p.user.id).sort()).toEqual(
        [member.id, coach.id].sort(),
      );

      const asCoach = await again.tokenFor({ userId: coach.id, role: coach.role });
      const messages = await again.graphql(
        'query M($id: ID!) { messages(conversationId: $id) { edges { node { body sender { id } } } } }',
        { id: conversation.id },
        asCoach,
      );
      const senders = messages.data.messages.edges.map((edge: any) => edge.node.sender.id);
      expect(senders.length).toBeGreaterThanOrEqual(3);
      expect(new Set(senders)).toEqual(new Set([member.id, coach.id]));
      const { data } = await again.graphql(
        'query C($id: ID!) { conversation(id: $id) { unreadCount } }',
        { id: conversation.id },
        asCoach,
      );
      expect(data.conversation.unreadCount).toBe(0);
    } finally {
      await again.stop();
    }
  });
});
