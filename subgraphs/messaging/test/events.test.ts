import { randomUUID } from 'node:crypto';
import { EVENTS_EXCHANGE, newEvent } from '@fitnexa/shared/events';
import { capturingLogger, untilPasses, type CapturedEntry } from '@fitnexa/shared/testing';
import { publishEvent, startTestBus, type TestBus } from '@fitnexa/shared/testing/bus';
import { DELETED_USER_ID } from '../src/domain/events';
import {
  aDirectConversation,
  aMessage,
  aUser,
  dataOf,
  readConversation,
  readConversations,
  readMessages,
  squadConversation,
  type TestUser,
} from './factories';
import {
  codeOf,
  FakeSquads,
  startTestMessaging,
  subscribe,
  type TestMessaging,
  type TestSubscription,
} from './harness';

// messaging on the real RabbitMQ (a namespace of the test's own) and PostgreSQL, consuming squad's
// membership events and identity's deletions.

const MESSAGE_ADDED =
  'subscription A($id: ID!) { messageAdded(conversationId: $id) { id body sender { id } } }';

let testBus: TestBus;
let messaging: TestMessaging;
let logs: CapturedEntry[];
const squads = new FakeSquads();
const open: TestSubscription[] = [];
beforeAll(async () => {
  testBus = startTestBus();
  const captured = capturingLogger('messaging');
  logs = captured.entries;
  messaging = await startTestMessaging({
    bus: testBus.bus,
    logger: captured.logger,
    squadMembership: squads,
  });
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((subscription) => subscription.close()));
});
afterAll(async () => {
  await messaging.stop();
  await testBus.dispose();
});

/** Waits until messaging logged that it handled the event. */
const handled = (eventId: string) =>
  untilPasses(() =>
    expect(logs).toContainEqual(expect.objectContaining({ eventId, message: 'event handled' })),
  );

const participantsOf = async (viewer: TestUser, conversationId: string) =>
  dataOf(await readConversation(messaging, viewer, conversationId)).participants.map(
    (participant: any) => participant.user.id,
  );

describe("a squad's conversation", () => {
  it('when squad.member.left arrives, then that user is no longer a participant, cannot read it and their subscription ends; squad.member.joined adds a member', async () => {
    const squadId = randomUUID();
    const [maya, carlos, dana] = [
      await aUser(messaging),
      await aUser(messaging),
      await aUser(messaging),
    ];
    squads.add(squadId, maya.id, carlos.id);
    const [opened] = dataOf(await squadConversation(messaging, maya, squadId));
    const conversationId: string = opened.conversation.id;
    dataOf(await readConversation(messaging, carlos, conversationId));
    const subscription = await subscribe(
      messaging,
      MESSAGE_ADDED,
      { id: conversationId },
      carlos.token,
    );
    open.push(subscription);

    // squad removed carlos, then tells.
    squads.remove(squadId, carlos.id);
    const left = await publishEvent(testBus.bus, 'squad', 'squad.member.left', {
      squadId,
      userId: carlos.id,
    });
    await handled(left.id);
    expect(await participantsOf(maya, conversationId)).toEqual([maya.id]);
    expect(codeOf(await readConversation(messaging, carlos, conversationId))).toBe('FORBIDDEN');
    await subscription.completed;
    await aMessage(messaging, maya, conversationId, 'after carlos left');
    expect(subscription.results).toEqual([]);

    // dana joins the squad: a participant before ever opening the conversation.
    squads.add(squadId, dana.id);
    const joined = await publishEvent(testBus.bus, 'squad', 'squad.member.joined', {
      squadId,
      userId: dana.id,
    });
    await handled(joined.id);
    expect(await participantsOf(maya, conversationId)).toEqual([maya.id, dana.id]);
    const { edges } = dataOf(await readMessages(messaging, dana, conversationId));
    expect(edges.map((edge: any) => edge.node.body)).toEqual(['after carlos left']);
  });

  it('when an older squad.member.joined arrives after a later squad.member.left (a retry), then the leave stands', async () => {
    const squadId = randomUUID();
    const [maya, carlos] = [await aUser(messaging), await aUser(messaging)];
    squads.add(squadId, maya.id, carlos.id);
    const [opened] = dataOf(await squadConversation(messaging, maya, squadId));
    const conversationId: string = opened.conversation.id;
    dataOf(await readConversation(messaging, carlos, conversationId));
    const joinedEarlier = {
      ...newEvent('squad', 'squad.member.joined', { squadId, userId: carlos.id }),
      occurredAt: new Date(Date.now() - 1_000).toISOString(),
    };
    squads.remove(squadId, carlos.id);
    const left = await publishEvent(testBus.bus, 'squad', 'squad.member.left', {
      squadId,
      userId: carlos.id,
    });
    await handled(left.id);

    await testBus.bus.publish(EVENTS_EXCHANGE, joinedEarlier.type, joinedEarlier, {
      messageId: joinedEarlier.id,
    });
    await handled(joinedEarlier.id);
    expect(await participantsOf(maya, conversationId)).toEqual([maya.id]);
    expect(codeOf(await readConversation(messaging, carlos, conversationId))).toBe('FORBIDDEN');
  });

  it('when squad.member.joined arrives for a squad without a conversation, then none is created', async () => {
    const squadId = randomUUID();
    const joined = await publishEvent(testBus.bus, 'squad', 'squad.member.joined', {
      squadId,
      userId: randomUUID(),
    });
    await handled(joined.id);
    expect(
      await messaging.sql(`SELECT 1 FROM "Conversation" WHERE "squadId" = $1`, [squadId]),
    ).toEqual([]);
  });
});

describe('a deleted user', () => {
  it("when identity.user.deleted arrives, then their messages are anonymized, they are no participant anywhere, no row keeps their id (membership events included, also after squad's later leaving), and the other side of a direct conversation still sees it", async () => {
    const {
      first: gone,
      second: other,
      conversationId: direct,
    } = await aDirectConversation(messaging);
    const secret = await aMessage(messaging, gone, direct, 'my secret');
    await aMessage(messaging, other, direct, 'noted');
    const squadId = randomUUID();
    squads.add(squadId, gone.id, other.id);
    const [opened] = dataOf(await squadConversation(messaging, gone, squadId));
    const squadChat: string = opened.conversation.id;
    await aMessage(messaging, gone, squadChat, 'hello squad');
    dataOf(await readConversation(messaging, other, squadChat));

    // Applied membership events name them: their joining before the deletion, and squad's own
    // leaving, which comes after ours.
    const joined = await publishEvent(testBus.bus, 'squad', 'squad.member.joined', {
      squadId,
      userId: gone.id,
    });
    await handled(joined.id);

    squads.remove(squadId, gone.id);
    const deleted = await publishEvent(testBus.bus, 'identity', 'identity.user.deleted', {
      userId: gone.id,
    });
    await handled(deleted.id);
    const leftAfterwards = await publishEvent(testBus.bus, 'squad', 'squad.member.left', {
      squadId,
      userId: gone.id,
      userDeleted: true,
    });
    await handled(leftAfterwards.id);

    const messagesOf = async (conversationId: string) =>
      dataOf(await readMessages(messaging, other, conversationId)).edges.map((edge: any) => [
        edge.node.sender.id,
        edge.node.body,
        edge.node.deletedAt !== null,
      ]);
    expect(await messagesOf(direct)).toEqual([
      [DELETED_USER_ID, null, true],
      [other.id, 'noted', false],
    ]);
    expect(await messagesOf(squadChat)).toEqual([[DELETED_USER_ID, null, true]]);
    expect(await participantsOf(other, direct)).toEqual([other.id]);
    expect(await participantsOf(other, squadChat)).toEqual([other.id]);
    const listed = dataOf(await readConversations(messaging, other)).edges.map(
      (edge: any) => edge.node.id,
    );
    expect(listed).toEqual(expect.arrayContaining([direct, squadChat]));
    expect(codeOf(await readConversation(messaging, gone, direct))).toBe('FORBIDDEN');
    expect(
      await messaging.sql(
        `SELECT 1 FROM "Participant" WHERE "userId" = $1
         UNION ALL SELECT 1 FROM "Message" WHERE "senderId" = $1 OR "body" = 'my secret'
         UNION ALL SELECT 1 FROM "Conversation" WHERE "directKey" LIKE '%' || $1 || '%'
         UNION ALL SELECT 1 FROM "SquadMembershipEvent" WHERE "userId" = $1`,
        [gone.id],
      ),
    ).toEqual([]);
    expect(
      await messaging.sql(`SELECT 1 FROM "Message" WHERE "id" = $1`, [secret.id]),
    ).toHaveLength(1);
  });
});
