import { randomUUID } from 'node:crypto';
import { entityFields, aUser, dataOf, type TestUser } from '@fitnexa/shared/testing';
import type { GraphQLResult, TestGym } from './harness';

// Small factories over the public API: test data is made the way clients make it.

export { aUser, dataOf, type TestUser };

export const GYM_FIELDS =
  'id name address location { lat lng } amenities openingHours { dayOfWeek opens closes } owner { id } createdAt';

export const BERLIN = { lat: 52.52, lng: 13.405 };

export function createGym(
  gym: TestGym,
  user: TestUser | undefined,
  input: Record<string, unknown> = {},
): Promise<GraphQLResult> {
  return gym.graphql(
    `mutation C($input: CreateGymInput!) { createGym(input: $input) { ${GYM_FIELDS} } }`,
    { input: { name: 'Iron Temple', address: 'Torstraße 1, Berlin', location: BERLIN, ...input } },
    user?.token,
  );
}

export async function aGym(
  gym: TestGym,
  owner: TestUser,
  input: Record<string, unknown> = {},
): Promise<{ id: string; name: string }> {
  return dataOf(await createGym(gym, owner, input));
}

export const PLAN_FIELDS = 'id name priceCents currency period perks gym { id }';

export function createPlan(
  gym: TestGym,
  user: TestUser | undefined,
  gymId: string,
  input: Record<string, unknown> = {},
): Promise<GraphQLResult> {
  return gym.graphql(
    `mutation P($input: CreateMembershipPlanInput!) { createMembershipPlan(input: $input) { ${PLAN_FIELDS} } }`,
    {
      input: {
        gymId,
        name: 'Monthly',
        priceCents: 3990,
        currency: 'EUR',
        period: 'MONTHLY',
        ...input,
      },
    },
    user?.token,
  );
}

export async function aPlan(
  gym: TestGym,
  owner: TestUser,
  gymId: string,
  input: Record<string, unknown> = {},
): Promise<{ id: string }> {
  return dataOf(await createPlan(gym, owner, gymId, input));
}

/** A gym owner with a gym and a monthly plan of it. */
export async function aGymWithPlan(gym: TestGym, input: Record<string, unknown> = {}) {
  const owner = await aUser(gym, 'GYM_OWNER');
  const created = await aGym(gym, owner, input);
  const plan = await aPlan(gym, owner, created.id);
  return { owner, gymId: created.id, planId: plan.id };
}

export const MEMBERSHIP_FIELDS =
  'id status startsAt endsAt user { id } gym { id } plan { id period }';

export function joinGym(gym: TestGym, user: TestUser, planId: string): Promise<GraphQLResult> {
  return gym.graphql(
    `mutation J($planId: ID!) { joinGym(planId: $planId) { ${MEMBERSHIP_FIELDS} } }`,
    { planId },
    user.token,
  );
}

/** A member with an ACTIVE membership on the plan. */
export async function aMember(
  gym: TestGym,
  planId: string,
): Promise<TestUser & { membershipId: string }> {
  const member = await aUser(gym);
  const membership = dataOf(await joinGym(gym, member, planId));
  return { ...member, membershipId: membership.id };
}

export function changeMembership(
  gym: TestGym,
  user: TestUser | undefined,
  change: 'freezeMembership' | 'resumeMembership' | 'cancelMembership',
  membershipId: string,
): Promise<GraphQLResult> {
  return gym.graphql(
    `mutation M($id: ID!) { ${change}(membershipId: $id) { ${MEMBERSHIP_FIELDS} } }`,
    { id: membershipId },
    user?.token,
  );
}

export const CLASS_FIELDS =
  'id title startsAt durationMinutes capacity bookedCount waitlistedCount spotsLeft gym { id } coach { id }';

export const inHours = (hours: number) => new Date(Date.now() + hours * 3_600_000).toISOString();

export function scheduleClass(
  gym: TestGym,
  user: TestUser | undefined,
  gymId: string,
  input: Record<string, unknown> = {},
): Promise<GraphQLResult> {
  return gym.graphql(
    `mutation S($input: ScheduleClassInput!) { scheduleClass(input: $input) { ${CLASS_FIELDS} } }`,
    {
      input: {
        gymId,
        title: 'HIIT',
        coachId: randomUUID(),
        startsAt: inHours(24),
        durationMinutes: 45,
        capacity: 10,
        ...input,
      },
    },
    user?.token,
  );
}

export async function aClass(
  gym: TestGym,
  owner: TestUser,
  gymId: string,
  input: Record<string, unknown> = {},
): Promise<{ id: string; startsAt: string }> {
  return dataOf(await scheduleClass(gym, owner, gymId, input));
}

export const BOOKING_FIELDS = 'id status createdAt user { id } class { id }';

export function bookClass(gym: TestGym, user: TestUser, classId: string): Promise<GraphQLResult> {
  return gym.graphql(
    `mutation B($classId: ID!) { bookClass(classId: $classId) { ${BOOKING_FIELDS} } }`,
    { classId },
    user.token,
  );
}

export function cancelBooking(
  gym: TestGym,
  user: TestUser | undefined,
  bookingId: string,
): Promise<GraphQLResult> {
  return gym.graphql(
    `mutation X($id: ID!) { cancelBooking(bookingId: $id) { ${BOOKING_FIELDS} } }`,
    { id: bookingId },
    user?.token,
  );
}

export function checkIn(
  gym: TestGym,
  user: TestUser | undefined,
  gymId: string,
): Promise<GraphQLResult> {
  return gym.graphql(
    'mutation I($gymId: ID!) { checkIn(gymId: $gymId) { id checkedInAt user { id } gym { id } } }',
    { gymId },
    user?.token,
  );
}

export async function readClass(gym: TestGym, gymId: string, classId: string) {
  const from = new Date(Date.now() - 3_600_000).toISOString();
  const to = new Date(Date.now() + 30 * 86_400_000).toISOString();
  const schedule = dataOf(
    await gym.graphql(
      `query G($gymId: ID!, $from: DateTime!, $to: DateTime!) { gymSchedule(gymId: $gymId, from: $from, to: $to) { ${CLASS_FIELDS} } }`,
      { gymId, from, to },
    ),
  );
  return schedule.find((gymClass: any) => gymClass.id === classId);
}

/** A user's fields as another subgraph (or the gateway) asks for them: through `_entities`. */
export function userFields(
  gym: TestGym,
  userIds: string[],
  selection: string,
  token?: string,
  variables: Record<string, unknown> = {},
): Promise<GraphQLResult> {
  return entityFields(gym.graphql, 'User', userIds, selection, { token, variables, variableTypes });
}

const variableTypes: Record<string, string> = {
  $status: 'MembershipStatus',
  $first: 'Int',
  $after: 'String',
  $from: 'DateTime!',
  $to: 'DateTime!',
};
