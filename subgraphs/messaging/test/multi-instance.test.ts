import { aDirectConversation } from './factories';
import {
  chatSocket,
  collect,
  emitWithAck,
  eventually,
  startTestMessaging,
  subscribe,
  type TestMessaging,
} from './harness';

describe('several instances', () => {
  let instanceA: TestMessaging;
  let instanceB: TestMessaging;
  beforeAll(async () => {
    instanceA = await startTestMessaging();
    // The same database and Redis: one service run as two instances.
    instanceB = await startTestMessaging({ schema: instanceA.schema });
  });
  afterAll(async () => {
    await instanceB.stop({ keepSchema: true });
    await instanceA.stop();
  });

  it('when a message is sent over socket.io to one instance, then a socket.io client and a graphql-ws subscriber on the other each receive it exactly once', async () => {
    const { first: sender, second: reader, conversationId } = await aDirectConversation(instanceA);
    // Tokens are signed per instance in tests: each side signs its own client's.
    const readerToken = await instanceB.tokenFor({ userId: reader.id, role: 'MEMBER' });
    const socketOnB = await chatSocket(instanceB, readerToken);
    const subscriberOnB = await subscribe(
      instanceB,
      'subscription A($id: ID!) { messageAdded(conversationId: $id) { id body sender { id } } }',
      { id: conversationId },
      readerToken,
    );
    const senderOnA = await chatSocket(instanceA, sender.token);
    try {
      expect(await emitWithAck(socketOnB, 'conversation:join', { conversationId })).toEqual({
        data: { conversationId },
      });
      expect(await emitWithAck(senderOnA, 'conversation:join', { conversationId })).toEqual({
        data: { conversationId },
      });
      const onB = collect(socketOnB, 'message:new');
      const onA = collect(senderOnA, 'message:new');

      const ack = await emitWithAck(senderOnA, 'message:send', {
        conversationId,
        body: 'across instances',
      });
      const message = ack.data;
      expect(message).toMatchObject({ conversationId, body: 'across instances' });

      await subscriberOnB.received(1);
      await eventually(() => onB.length >= 1 && onA.length >= 1, 'delivery on both instances');
      // Anything duplicated would arrive within this time too.
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(onB).toEqual([message]);
      expect(onA).toEqual([message]);
      expect(subscriberOnB.results).toEqual([
        {
          data: {
            messageAdded: { id: message.id, body: 'across instances', sender: { id: sender.id } },
          },
        },
      ]);
    } finally {
      socketOnB.close();
      senderOnA.close();
      await subscriberOnB.close();
    }
  });
});
