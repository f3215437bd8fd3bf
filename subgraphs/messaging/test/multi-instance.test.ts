import { randomUUID } from 'node:crypto';
import { capturingLogger, untilPasses, type CapturedEntry } from '@fitnexa/shared/testing';
import { publishEvent, startTestBus, type TestBus } from '@fitnexa/shared/testing/bus';
import { collectRemovals } from '@fitnexa/shared/testing/realtime';
import { conversationRoom } from '../src/domain/realtime';
import { aDirectConversation, aMessage, aUser, dataOf, squadConversation } from './factories';
import {
  chatSocket,
  collect,
  emitWithAck,
  eventually,
  FakeSquads,
  startTestMessaging,
  subscribe,
  type TestMessaging,
} from './harness';

describe('several instances', () => {
  let instanceA: TestMessaging;
  let instanceB: TestMessaging;
  let testBus: TestBus;
  let logsOfA: CapturedEntry[];
  const squads = new FakeSquads();
  beforeAll(async () => {
    // Only A consumes events from RabbitMQ: whatever an event changes, A handles it.
    testBus = startTestBus();
    const captured = capturingLogger('messaging');
    logsOfA = captured.entries;
    instanceA = await startTestMessaging({
      bus: testBus.bus,
      logger: captured.logger,
      squadMembership: squads,
    });
    // The same database and Redis: one service run as two instances.
    instanceB = await startTestMessaging({ schema: instanceA.schema, squadMembership: squads });
  });
  afterAll(async () => {
    await instanceB.stop({ keepSchema: true });
    await instanceA.stop();
    await testBus.dispose();
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

  it("when squad.member.left is handled on one instance, then the leaver's socket on the other hears nothing more of the squad's chat, and the remaining member's still does", async () => {
    const squadId = randomUUID();
    const [maya, carlos] = [await aUser(instanceA), await aUser(instanceA)];
    squads.add(squadId, maya.id, carlos.id);
    const [opened] = dataOf(await squadConversation(instanceA, maya, squadId));
    const conversationId: string = opened.conversation.id;
    const socketOnB = async (userId: string) => {
      const socket = await chatSocket(
        instanceB,
        await instanceB.tokenFor({ userId, role: 'MEMBER' }),
      );
      expect(await emitWithAck(socket, 'conversation:join', { conversationId })).toEqual({
        data: { conversationId },
      });
      return socket;
    };
    const [mayaOnB, carlosOnB] = [await socketOnB(maya.id), await socketOnB(carlos.id)];
    const toMaya = collect(mayaOnB, 'message:new');
    const toCarlos = collect(carlosOnB, 'message:new');
    const carlosTold = collect(carlosOnB, 'participant:removed');
    const removalsOnB = collectRemovals(instanceB.server.hub);
    try {
      await aMessage(instanceA, maya, conversationId, 'before');
      await eventually(() => toMaya.length === 1 && toCarlos.length === 1, 'both hear it');

      squads.remove(squadId, carlos.id);
      const left = await publishEvent(testBus.bus, 'squad', 'squad.member.left', {
        squadId,
        userId: carlos.id,
      });
      await untilPasses(() =>
        expect(logsOfA).toContainEqual(
          expect.objectContaining({ eventId: left.id, message: 'event handled' }),
        ),
      );
      // The removal is published after the commit: wait until B applied it.
      await eventually(() => removalsOnB.length > 0, 'the removal on B');
      expect(removalsOnB).toEqual([{ room: conversationRoom(conversationId), userId: carlos.id }]);
      await aMessage(instanceA, maya, conversationId, 'after');
      await eventually(() => toMaya.length === 2, 'the remaining member hears it');
      // A round trip on carlos's socket: whatever B sent it before the answer has arrived.
      expect(await emitWithAck(carlosOnB, 'conversation:join', { conversationId })).toMatchObject({
        error: { code: 'FORBIDDEN' },
      });
      expect(toMaya.map((message) => message.body)).toEqual(['before', 'after']);
      expect(toCarlos.map((message) => message.body)).toEqual(['before']);
      expect(carlosTold).toEqual([{ conversationId, userId: carlos.id }]);
    } finally {
      mayaOnB.close();
      carlosOnB.close();
    }
  });
});
