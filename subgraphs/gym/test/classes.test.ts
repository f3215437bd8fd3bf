import { randomUUID } from 'node:crypto';
import {
  aClass,
  aGymWithPlan,
  aMember,
  aUser,
  bookClass,
  cancelBooking,
  changeMembership,
  CLASS_FIELDS,
  dataOf,
  inHours,
  readClass,
  scheduleClass,
  userFields,
} from './factories';
import { codeOf, startTestGym, type TestGym } from './harness';

let gym: TestGym;

beforeAll(async () => {
  gym = await startTestGym();
});
afterAll(() => gym.stop());

const DAY_MS = 86_400_000;

const scheduleOf = (gymId: string, from: Date | string, to: Date | string) =>
  gym.graphql(
    `query S($gymId: ID!, $from: DateTime!, $to: DateTime!) { gymSchedule(gymId: $gymId, from: $from, to: $to) { ${CLASS_FIELDS} } }`,
    { gymId, from, to },
  );

/** A gym with a plan, a class of `capacity` tomorrow and `members` with ACTIVE memberships. */
async function aClassWithMembers(capacity: number, members: number) {
  const { owner, gymId, planId } = await aGymWithPlan(gym);
  const gymClass = await aClass(gym, owner, gymId, { capacity });
  const joined = await Promise.all(Array.from({ length: members }, () => aMember(gym, planId)));
  return { owner, gymId, planId, classId: gymClass.id, members: joined };
}

/** Lets time pass for a class: it starts `hours` earlier. */
const startEarlier = (classId: string, hours: number) =>
  gym.sql(
    `UPDATE "GymClass" SET "startsAt" = "startsAt" - make_interval(hours => $2) WHERE id = $1`,
    [classId, hours],
  );

describe('scheduling classes', () => {
  it("when a gym's owner schedules a class, then it is in the gym's schedule with its coach and all spots free", async () => {
    const { owner, gymId } = await aGymWithPlan(gym);
    const coachId = randomUUID();
    const startsAt = inHours(48);
    const scheduled = dataOf(
      await scheduleClass(gym, owner, gymId, {
        title: ' Yoga Flow ',
        coachId,
        startsAt,
        durationMinutes: 60,
        capacity: 12,
      }),
    );
    expect(scheduled).toEqual({
      id: expect.any(String),
      title: 'Yoga Flow',
      startsAt,
      durationMinutes: 60,
      capacity: 12,
      bookedCount: 0,
      waitlistedCount: 0,
      spotsLeft: 12,
      gym: { id: gymId },
      coach: { id: coachId },
    });
    expect(await readClass(gym, gymId, scheduled.id)).toEqual(scheduled);
  });

  it('when an admin schedules a class at any gym, then it is scheduled', async () => {
    const { gymId } = await aGymWithPlan(gym);
    const admin = await aUser(gym, 'ADMIN');
    expect(dataOf(await scheduleClass(gym, admin, gymId)).title).toBe('HIIT');
  });

  it('when another gym owner, a coach or nobody schedules a class, then it is FORBIDDEN or UNAUTHENTICATED and the schedule stays empty', async () => {
    const { gymId } = await aGymWithPlan(gym);
    expect(codeOf(await scheduleClass(gym, await aUser(gym, 'GYM_OWNER'), gymId))).toBe(
      'FORBIDDEN',
    );
    expect(codeOf(await scheduleClass(gym, await aUser(gym, 'COACH'), gymId))).toBe('FORBIDDEN');
    expect(codeOf(await scheduleClass(gym, undefined, gymId))).toBe('UNAUTHENTICATED');
    const schedule = await scheduleOf(gymId, new Date(), new Date(Date.now() + 30 * DAY_MS));
    expect(schedule.data.gymSchedule).toEqual([]);
  });

  it.each([
    ['startsAt', 'in the past', { startsAt: inHours(-1) }],
    ['durationMinutes', 'under 5', { durationMinutes: 4 }],
    ['durationMinutes', 'over 480', { durationMinutes: 481 }],
    ['capacity', 'zero', { capacity: 0 }],
    ['capacity', 'over 500', { capacity: 501 }],
    ['coachId', 'not an id', { coachId: 'coach' }],
    ['title', 'blank', { title: ' ' }],
  ])(
    'when a class has a %s %s, then it is BAD_USER_INPUT naming it',
    async (field, _what, input) => {
      const { owner, gymId } = await aGymWithPlan(gym);
      const result = await scheduleClass(gym, owner, gymId, input);
      expect(codeOf(result)).toBe('BAD_USER_INPUT');
      expect(result.errors?.[0]?.message).toContain(`${field}:`);
    },
  );

  it('when a class is scheduled at an unknown gym, then it is NOT_FOUND', async () => {
    const admin = await aUser(gym, 'ADMIN');
    expect(codeOf(await scheduleClass(gym, admin, randomUUID()))).toBe('NOT_FOUND');
  });
});

describe("a gym's schedule", () => {
  it('when anyone reads a range, then it lists the classes starting in it, in start order', async () => {
    const { owner, gymId } = await aGymWithPlan(gym);
    const later = await aClass(gym, owner, gymId, { startsAt: inHours(50), title: 'Later' });
    const sooner = await aClass(gym, owner, gymId, { startsAt: inHours(26), title: 'Sooner' });
    await aClass(gym, owner, gymId, { startsAt: inHours(24 * 10), title: 'Outside' });
    const result = await scheduleOf(gymId, inHours(25), inHours(24 * 5));
    expect(result.data.gymSchedule.map((gymClass: any) => gymClass.id)).toEqual([
      sooner.id,
      later.id,
    ]);
  });

  it.each([
    ['longer than 31 days', 0, 31 * 24 + 1],
    ['ending before it starts', 48, 24],
    ['of no length', 24, 24],
  ])('when the range is %s, then it is BAD_USER_INPUT', async (_what, fromHours, toHours) => {
    const { gymId } = await aGymWithPlan(gym);
    // Both ends from one instant: two clock reads a millisecond apart would make a range of length.
    const now = Date.now();
    const at = (hours: number) => new Date(now + hours * 3_600_000).toISOString();
    expect(codeOf(await scheduleOf(gymId, at(fromHours), at(toHours)))).toBe('BAD_USER_INPUT');
  });

  it('when the gym is unknown, then it is NOT_FOUND', async () => {
    for (const gymId of [randomUUID(), 'not-an-id']) {
      expect(codeOf(await scheduleOf(gymId, inHours(0), inHours(24)))).toBe('NOT_FOUND');
    }
  });
});

describe('booking a class', () => {
  it('when members book a class with spots left, then they are BOOKED; once it is full, then they are WAITLISTED', async () => {
    const { gymId, classId, members } = await aClassWithMembers(2, 3);
    const statuses = [];
    for (const member of members) statuses.push(dataOf(await bookClass(gym, member, classId)));
    expect(statuses.map((booking) => booking.status)).toEqual(['BOOKED', 'BOOKED', 'WAITLISTED']);
    expect(statuses[0]).toMatchObject({ user: { id: members[0]!.id }, class: { id: classId } });
    expect(await readClass(gym, gymId, classId)).toMatchObject({
      bookedCount: 2,
      waitlistedCount: 1,
      spotsLeft: 0,
    });
  });

  it('when ten members book the last three spots at once, then exactly three are BOOKED and seven WAITLISTED', async () => {
    const { gymId, classId, members } = await aClassWithMembers(3, 10);
    const results = await Promise.all(members.map((member) => bookClass(gym, member, classId)));
    const statuses = results.map((result) => dataOf(result).status);
    expect(statuses.filter((status) => status === 'BOOKED')).toHaveLength(3);
    expect(statuses.filter((status) => status === 'WAITLISTED')).toHaveLength(7);
    expect(await readClass(gym, gymId, classId)).toMatchObject({
      capacity: 3,
      bookedCount: 3,
      waitlistedCount: 7,
      spotsLeft: 0,
    });
  });

  it('when a member books a class they already hold a booking of, then it is CONFLICT, even when asked at once', async () => {
    const { classId, members } = await aClassWithMembers(5, 1);
    const member = members[0]!;
    const results = await Promise.all([1, 2, 3].map(() => bookClass(gym, member, classId)));
    expect(results.filter((result) => result.data).length).toBe(1);
    expect(results.filter((result) => codeOf(result) === 'CONFLICT').length).toBe(2);
  });

  it('when the class has started, then booking it is CONFLICT', async () => {
    const { classId, members } = await aClassWithMembers(5, 1);
    await startEarlier(classId, 25);
    expect(codeOf(await bookClass(gym, members[0]!, classId))).toBe('CONFLICT');
  });

  it('when the booker has no ACTIVE membership of the gym, then it is FORBIDDEN and nothing is booked', async () => {
    const { gymId, classId, planId } = await aClassWithMembers(5, 0);
    const stranger = await aUser(gym);
    const frozen = await aMember(gym, planId);
    await changeMembership(gym, frozen, 'freezeMembership', frozen.membershipId);
    const elsewhere = await aGymWithPlan(gym);
    const memberElsewhere = await aMember(gym, elsewhere.planId);
    for (const user of [stranger, frozen, memberElsewhere]) {
      expect(codeOf(await bookClass(gym, user, classId))).toBe('FORBIDDEN');
    }
    expect(await readClass(gym, gymId, classId)).toMatchObject({ bookedCount: 0 });
  });

  it('when the class is unknown, then it is NOT_FOUND; without a token UNAUTHENTICATED', async () => {
    const member = await aUser(gym);
    expect(codeOf(await bookClass(gym, member, randomUUID()))).toBe('NOT_FOUND');
    const anonymous = await gym.graphql(
      `mutation { bookClass(classId: "${randomUUID()}") { id } }`,
    );
    expect(codeOf(anonymous)).toBe('UNAUTHENTICATED');
  });
});

describe('cancelling a booking', () => {
  it('when a BOOKED member cancels, then the first WAITLISTED member is BOOKED in their place', async () => {
    const { gymId, classId, members } = await aClassWithMembers(1, 3);
    const [first, second, third] = members as [any, any, any];
    const booking = dataOf(await bookClass(gym, first, classId));
    await bookClass(gym, second, classId);
    await bookClass(gym, third, classId);

    const cancelled = dataOf(await cancelBooking(gym, first, booking.id));
    expect(cancelled).toMatchObject({ id: booking.id, status: 'CANCELLED' });
    const week = { from: inHours(0), to: inHours(24 * 7) };
    const bookingsOf = async (member: any) =>
      (
        await userFields(
          gym,
          [member.id],
          'bookedClasses(from: $from, to: $to) { status }',
          member.token,
          week,
        )
      ).data._entities[0].bookedClasses;
    expect(await bookingsOf(first)).toEqual([]);
    expect(await bookingsOf(second)).toEqual([{ status: 'BOOKED' }]);
    expect(await bookingsOf(third)).toEqual([{ status: 'WAITLISTED' }]);
    expect(await readClass(gym, gymId, classId)).toMatchObject({
      bookedCount: 1,
      waitlistedCount: 1,
    });
  });

  it('when booked members cancel at once, then as many waitlisted members are booked, and no more', async () => {
    const { gymId, classId, members } = await aClassWithMembers(2, 5);
    const bookings: { id: string }[] = [];
    for (const member of members) bookings.push(dataOf(await bookClass(gym, member, classId)));
    const results = await Promise.all(
      [0, 1].map((index) => cancelBooking(gym, members[index]!, bookings[index].id)),
    );
    expect(results.map((result) => dataOf(result).status)).toEqual(['CANCELLED', 'CANCELLED']);
    expect(await readClass(gym, gymId, classId)).toMatchObject({
      bookedCount: 2,
      waitlistedCount: 1,
      spotsLeft: 0,
    });
  });

  it('when a WAITLISTED member cancels, then nobody is promoted', async () => {
    const { gymId, classId, members } = await aClassWithMembers(1, 3);
    await bookClass(gym, members[0]!, classId);
    const waiting = dataOf(await bookClass(gym, members[1]!, classId));
    await bookClass(gym, members[2]!, classId);
    await cancelBooking(gym, members[1]!, waiting.id);
    expect(await readClass(gym, gymId, classId)).toMatchObject({
      bookedCount: 1,
      waitlistedCount: 1,
    });
  });

  it('when a member cancels and books again, then they take a free spot anew', async () => {
    const { classId, members } = await aClassWithMembers(2, 1);
    const booking = dataOf(await bookClass(gym, members[0]!, classId));
    await cancelBooking(gym, members[0]!, booking.id);
    expect(dataOf(await bookClass(gym, members[0]!, classId)).status).toBe('BOOKED');
  });

  it('when another member cancels my booking, then it is FORBIDDEN and it stays BOOKED; an admin may', async () => {
    const { gymId, classId, members } = await aClassWithMembers(2, 2);
    const booking = dataOf(await bookClass(gym, members[0]!, classId));
    expect(codeOf(await cancelBooking(gym, members[1]!, booking.id))).toBe('FORBIDDEN');
    expect(codeOf(await cancelBooking(gym, undefined, booking.id))).toBe('UNAUTHENTICATED');
    expect(await readClass(gym, gymId, classId)).toMatchObject({ bookedCount: 1 });
    const admin = await aUser(gym, 'ADMIN');
    expect(dataOf(await cancelBooking(gym, admin, booking.id)).status).toBe('CANCELLED');
  });

  it('when the booking is already cancelled or the class has started, then it is CONFLICT', async () => {
    const { classId, members } = await aClassWithMembers(2, 2);
    const cancelled = dataOf(await bookClass(gym, members[0]!, classId));
    await cancelBooking(gym, members[0]!, cancelled.id);
    expect(codeOf(await cancelBooking(gym, members[0]!, cancelled.id))).toBe('CONFLICT');
    const kept = dataOf(await bookClass(gym, members[1]!, classId));
    await startEarlier(classId, 25);
    expect(codeOf(await cancelBooking(gym, members[1]!, kept.id))).toBe('CONFLICT');
  });

  it('when the booking is unknown, then it is NOT_FOUND', async () => {
    const member = await aUser(gym);
    expect(codeOf(await cancelBooking(gym, member, randomUUID()))).toBe('NOT_FOUND');
  });
});

describe("a user's booked classes", () => {
  it('when a member reads their booked classes, then they see live bookings of classes in the range, in class order', async () => {
    const { owner, gymId, planId } = await aGymWithPlan(gym);
    const member = await aMember(gym, planId);
    const later = await aClass(gym, owner, gymId, { startsAt: inHours(72) });
    const sooner = await aClass(gym, owner, gymId, { startsAt: inHours(30) });
    const outside = await aClass(gym, owner, gymId, { startsAt: inHours(24 * 20) });
    const dropped = await aClass(gym, owner, gymId, { startsAt: inHours(40) });
    for (const gymClass of [later, sooner, outside]) await bookClass(gym, member, gymClass.id);
    const droppedBooking = dataOf(await bookClass(gym, member, dropped.id));
    await cancelBooking(gym, member, droppedBooking.id);

    const result = await userFields(
      gym,
      [member.id],
      'bookedClasses(from: $from, to: $to) { status class { id } }',
      member.token,
      { from: inHours(0), to: inHours(24 * 7) },
    );
    expect(result.data._entities[0].bookedClasses).toEqual([
      { status: 'BOOKED', class: { id: sooner.id } },
      { status: 'BOOKED', class: { id: later.id } },
    ]);
  });

  it('when someone else reads my booked classes, then it is FORBIDDEN; without a token UNAUTHENTICATED; an admin may', async () => {
    const member = await aUser(gym);
    const range = { from: inHours(0), to: inHours(24) };
    const read = (token?: string) =>
      userFields(gym, [member.id], 'bookedClasses(from: $from, to: $to) { id }', token, range);
    expect(codeOf(await read((await aUser(gym)).token))).toBe('FORBIDDEN');
    expect(codeOf(await read((await aUser(gym, 'GYM_OWNER')).token))).toBe('FORBIDDEN');
    expect(codeOf(await read())).toBe('UNAUTHENTICATED');
    expect((await read((await aUser(gym, 'ADMIN')).token)).data._entities[0].bookedClasses).toEqual(
      [],
    );
  });

  it('when the range is longer than 31 days, then it is BAD_USER_INPUT', async () => {
    const member = await aUser(gym);
    const result = await userFields(
      gym,
      [member.id],
      'bookedClasses(from: $from, to: $to) { id }',
      member.token,
      { from: inHours(0), to: inHours(32 * 24) },
    );
    expect(codeOf(result)).toBe('BAD_USER_INPUT');
  });
});
