import { EVENTS_EXCHANGE } from '@fitnexa/shared/events';
import { capturingLogger, gatewayCredentialHeaders, untilPasses } from '@fitnexa/shared/testing';
import {
  publishEvent,
  recordEvents,
  startTestBus,
  type TestBus,
} from '@fitnexa/shared/testing/bus';
import {
  aClass,
  aGymWithPlan,
  aMember,
  bookClass,
  checkIn,
  dataOf,
  type TestUser,
} from './factories';
import { startTestGym, type TestGym } from './harness';

let testBus: TestBus;
let gym: TestGym;
const logs = capturingLogger('gym');

beforeAll(async () => {
  testBus = startTestBus();
  gym = await startTestGym({ bus: testBus.bus, logger: logs.logger });
});
afterAll(async () => {
  await gym.stop();
  await testBus.dispose();
});

/** Books the class for each member in turn: the first ones get its spots, the rest wait. */
async function bookInTurn(classId: string, members: TestUser[]): Promise<string[]> {
  const ids: string[] = [];
  for (const member of members) ids.push(dataOf(await bookClass(gym, member, classId)).id);
  return ids;
}

const statusOf = async (bookingId: string) =>
  (await gym.sql(`SELECT "status" FROM "ClassBooking" WHERE "id" = $1`, [bookingId]))[0]?.status;

const processed = (eventId: string) =>
  gym.sql(`SELECT "type" FROM "ProcessedEvent" WHERE "eventId" = $1`, [eventId]);

describe('gym.checkin.recorded', () => {
  it("when a member checks in, then the event is published once with the check-in and the request's correlation id", async () => {
    const events = await recordEvents(testBus.bus, ['gym.#']);
    const { gymId, planId } = await aGymWithPlan(gym);
    const member = await aMember(gym, planId);
    const response = await fetch(gym.server.url, {
      method: 'POST',
      headers: {
        ...(await gatewayCredentialHeaders('gym')),
        'content-type': 'application/json',
        authorization: `Bearer ${member.token}`,
        'x-correlation-id': 'check-in-1',
      },
      body: JSON.stringify({
        query: 'mutation I($gymId: ID!) { checkIn(gymId: $gymId) { id checkedInAt } }',
        variables: { gymId },
      }),
    });
    const recorded = dataOf(await response.json());

    await untilPasses(() => expect(events).toHaveLength(1));
    expect(events[0]).toEqual({
      id: expect.any(String),
      type: 'gym.checkin.recorded',
      source: 'gym',
      occurredAt: expect.any(String),
      correlationId: 'check-in-1',
      data: { checkInId: recorded.id, userId: member.id, gymId, checkedInAt: recorded.checkedInAt },
    });
    // Marked published once confirmed (after any publishing under way), so it never goes out again.
    await gym.server.outbox.drain();
    expect(
      await gym.sql(`SELECT "publishedAt" FROM "OutboxEvent" WHERE "data"->>'checkInId' = $1`, [
        recorded.id,
      ]),
    ).toEqual([{ publishedAt: expect.any(Date) }]);
    expect(events).toHaveLength(1);
  });
});

describe('identity.user.deleted', () => {
  it("when a member's account is deleted, then their bookings and check-ins are gone, their memberships cancelled and unlinked, the first waitlisted member gets their spot, and other members' data is untouched", async () => {
    const { owner, gymId, planId } = await aGymWithPlan(gym);
    const leaver = await aMember(gym, planId);
    const [first, second, stayer] = [
      await aMember(gym, planId),
      await aMember(gym, planId),
      await aMember(gym, planId),
    ];
    const upcoming = await aClass(gym, owner, gymId, { capacity: 1 });
    const [leaverUpcoming, firstWaiting, secondWaiting] = await bookInTurn(upcoming.id, [
      leaver,
      first!,
      second!,
    ]);
    // A class that has started: the spot it frees goes to nobody.
    const started = await aClass(gym, owner, gymId, { capacity: 1 });
    const [leaverStarted, waitingOnStarted] = await bookInTurn(started.id, [leaver, stayer!]);
    await gym.sql(
      `UPDATE "GymClass" SET "startsAt" = now() - interval '10 minutes' WHERE id = $1`,
      [started.id],
    );
    dataOf(await checkIn(gym, leaver, gymId));
    const stayerCheckIn = dataOf(await checkIn(gym, stayer!, gymId));

    const event = await publishEvent(testBus.bus, 'identity', 'identity.user.deleted', {
      userId: leaver.id,
    });

    await untilPasses(async () =>
      expect(await processed(event.id)).toEqual([{ type: 'identity.user.deleted' }]),
    );
    expect(
      await gym.sql(`SELECT "id" FROM "ClassBooking" WHERE "userId" = $1`, [leaver.id]),
    ).toEqual([]);
    expect(await statusOf(leaverUpcoming!)).toBeUndefined();
    expect(await statusOf(leaverStarted!)).toBeUndefined();
    expect(await statusOf(firstWaiting!)).toBe('BOOKED');
    expect(await statusOf(secondWaiting!)).toBe('WAITLISTED');
    expect(await statusOf(waitingOnStarted!)).toBe('WAITLISTED');
    expect(await gym.sql(`SELECT "id" FROM "CheckIn" WHERE "userId" = $1`, [leaver.id])).toEqual(
      [],
    );
    expect(await gym.sql(`SELECT "id" FROM "CheckIn" WHERE "userId" = $1`, [stayer!.id])).toEqual([
      { id: stayerCheckIn.id },
    ]);
    const [membership] = await gym.sql(
      `SELECT "userId", "status", "live", "gymId" FROM "Membership" WHERE "id" = $1`,
      [leaver.membershipId],
    );
    expect(membership).toEqual({
      userId: expect.any(String),
      status: 'CANCELLED',
      live: null,
      gymId,
    });
    expect(membership.userId).not.toBe(leaver.id);
    expect(await gym.sql(`SELECT "id" FROM "Membership" WHERE "userId" = $1`, [leaver.id])).toEqual(
      [],
    );
    expect(
      await gym.sql(`SELECT "status" FROM "Membership" WHERE "id" = $1`, [stayer!.membershipId]),
    ).toEqual([{ status: 'ACTIVE' }]);
    // The handler ran under the event's correlation id.
    expect(
      logs.entries.find((entry) => entry.message === "deleted user's gym data erased"),
    ).toMatchObject({
      userId: leaver.id,
      promoted: 1,
      correlationId: event.correlationId ?? event.id,
    });
  });

  it('when the same deletion is delivered twice, then it is applied once: one processed event and one promotion', async () => {
    const { owner, gymId, planId } = await aGymWithPlan(gym);
    const leaver = await aMember(gym, planId);
    const [first, second] = [await aMember(gym, planId), await aMember(gym, planId)];
    const gymClass = await aClass(gym, owner, gymId, { capacity: 1 });
    const [, firstWaiting, secondWaiting] = await bookInTurn(gymClass.id, [
      leaver,
      first!,
      second!,
    ]);

    const event = await publishEvent(testBus.bus, 'identity', 'identity.user.deleted', {
      userId: leaver.id,
    });
    await testBus.bus.publish(EVENTS_EXCHANGE, event.type, event, { messageId: event.id });

    await untilPasses(() =>
      expect(
        logs.entries.filter(
          (entry) =>
            entry.message === 'event already handled; dropped' && entry.eventId === event.id,
        ),
      ).toHaveLength(1),
    );
    expect(await processed(event.id)).toHaveLength(1);
    expect(await statusOf(firstWaiting!)).toBe('BOOKED');
    expect(await statusOf(secondWaiting!)).toBe('WAITLISTED');
    expect(
      logs.entries.filter(
        (entry) => entry.message === "deleted user's gym data erased" && entry.userId === leaver.id,
      ),
    ).toHaveLength(1);
  });
});
