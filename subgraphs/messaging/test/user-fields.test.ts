import { randomUUID } from 'node:crypto';
import { capturingLogger } from '@fitnexa/shared/testing';
import {
  aMessage,
  aUser,
  dataOf,
  markRead,
  startDirectConversation,
  userFields,
  type TestUser,
} from './factories';
import { startTestMessaging } from './harness';

describe('batching', () => {
  it('when 10 or 200 users are resolved with their conversations (participants, last message, read marks, unread counts) and unread count, then both cost the same number of SQL statements', async () => {
    const logs = capturingLogger('messaging');
    const counted = await startTestMessaging({ logger: logs.logger });
    try {
      const admin = await aUser(counted, 'ADMIN');
      // 20 users in a ring, each in a conversation with the next, with messages both ways and
      // some of them read.
      const users: TestUser[] = [];
      for (let index = 0; index < 20; index += 1) users.push(await aUser(counted));
      for (const [index, user] of users.entries()) {
        const next = users[(index + 1) % users.length]!;
        const { id } = dataOf(await startDirectConversation(counted, user, next.id));
        await aMessage(counted, user, id, 'hi');
        await aMessage(counted, next, id, 'hello');
        if (index % 2) dataOf(await markRead(counted, user, id));
      }
      const statementsFor = async (userIds: string[]) => {
        const before = logs.entries.filter((entry) => entry.message === 'sql').length;
        const result = await userFields(
          counted,
          userIds,
          `conversations {
             edges { node {
               id unreadCount
               lastMessage { body sender { id } }
               participants { user { id } lastReadMessage { body } }
             } }
           }
           unreadCount`,
          admin.token,
        );
        expect(result.errors).toBeUndefined();
        expect(result.data._entities).toHaveLength(userIds.length);
        return logs.entries.filter((entry) => entry.message === 'sql').length - before;
      };
      const ids = users.map((user) => user.id);
      const ten = ids.slice(0, 10);
      const twoHundred = [...ids, ...Array.from({ length: 180 }, () => randomUUID())];

      const ofTen = await statementsFor(ten);
      const ofTwoHundred = await statementsFor(twoHundred);
      // Conversation pages, unread counts per user, then per conversation: participants, last
      // messages, unread counts, and the messages read up to.
      expect(ofTen).toBe(6);
      expect(ofTwoHundred).toBe(ofTen);
    } finally {
      await counted.stop();
    }
  });
});
