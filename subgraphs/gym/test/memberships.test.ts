import { randomUUID } from 'node:crypto';
import { periodEnd } from '../src/domain/memberships';
import {
  aGymWithPlan,
  aMember,
  aPlan,
  aUser,
  changeMembership,
  dataOf,
  joinGym,
  MEMBERSHIP_FIELDS,
  userFields,
} from './factories';
import { codeOf, startTestGym, type TestGym } from './harness';

let gym: TestGym;

beforeAll(async () => {
  gym = await startTestGym();
});
afterAll(() => gym.stop());

const DAY_MS = 86_400_000;

const membershipsOf = async (userId: string, token: string, status?: string) =>
  (
    await userFields(
      gym,
      [userId],
      `memberships(status: $status) { ${MEMBERSHIP_FIELDS} }`,
      token,
      { status: status ?? null },
    )
  ).data._entities[0].memberships;

/** Lets time pass for a membership: its dates move `days` into the past. */
const shiftBack = (membershipId: string, days: number) =>
  gym.sql(
    `UPDATE "Membership" SET "startsAt" = "startsAt" - make_interval(days => $2),
            "endsAt" = "endsAt" - make_interval(days => $2),
            "frozenAt" = "frozenAt" - make_interval(days => $2)
      WHERE id = $1`,
    [membershipId, days],
  );

describe('joining a gym', () => {
  it('when a member joins on a monthly plan, then the membership is ACTIVE from now for one calendar month', async () => {
    const { gymId, planId } = await aGymWithPlan(gym);
    const member = await aUser(gym);
    const before = Date.now();
    const membership = dataOf(await joinGym(gym, member, planId));
    expect(membership).toMatchObject({
      status: 'ACTIVE',
      user: { id: member.id },
      gym: { id: gymId },
      plan: { id: planId, period: 'MONTHLY' },
    });
    const startsAt = new Date(membership.startsAt);
    expect(startsAt.getTime()).toBeGreaterThanOrEqual(before - 1);
    expect(new Date(membership.endsAt)).toEqual(periodEnd(startsAt, 'MONTHLY'));
    expect(await membershipsOf(member.id, member.token)).toEqual([membership]);
  });

  it('when a member joins on a quarterly or yearly plan, then it runs three or twelve months', async () => {
    const { owner, gymId } = await aGymWithPlan(gym);
    const quarterly = await aPlan(gym, owner, gymId, { period: 'QUARTERLY' });
    const member = await aUser(gym);
    const membership = dataOf(await joinGym(gym, member, quarterly.id));
    const months = (date: string) =>
      new Date(date).getUTCFullYear() * 12 + new Date(date).getUTCMonth();
    expect(months(membership.endsAt) - months(membership.startsAt)).toBe(3);
    expect(periodEnd(new Date('2026-03-15T10:00:00Z'), 'YEARLY')).toEqual(
      new Date('2027-03-15T10:00:00Z'),
    );
  });

  it('when a period ends in a shorter month, then it ends on its last day', () => {
    expect(periodEnd(new Date('2026-01-31T09:30:00Z'), 'MONTHLY')).toEqual(
      new Date('2026-02-28T09:30:00Z'),
    );
    expect(periodEnd(new Date('2027-11-30T09:30:00Z'), 'QUARTERLY')).toEqual(
      new Date('2028-02-29T09:30:00Z'),
    );
  });

  it('when a member joins a gym they have an ACTIVE or FROZEN membership of, then it is CONFLICT', async () => {
    const { owner, gymId, planId } = await aGymWithPlan(gym);
    const member = await aMember(gym, planId);
    const otherPlan = await aPlan(gym, owner, gymId, { name: 'Yearly', period: 'YEARLY' });
    expect(codeOf(await joinGym(gym, member, otherPlan.id))).toBe('CONFLICT');
    await changeMembership(gym, member, 'freezeMembership', member.membershipId);
    expect(codeOf(await joinGym(gym, member, planId))).toBe('CONFLICT');
    expect(await membershipsOf(member.id, member.token)).toHaveLength(1);
  });

  it('when a member joins the same gym twice at once, then exactly one membership starts', async () => {
    const { planId } = await aGymWithPlan(gym);
    const member = await aUser(gym);
    const results = await Promise.all([1, 2, 3].map(() => joinGym(gym, member, planId)));
    expect(results.filter((result) => result.data).length).toBe(1);
    expect(results.filter((result) => codeOf(result) === 'CONFLICT').length).toBe(2);
  });

  it('when a member has cancelled, then they may join the gym again', async () => {
    const { planId } = await aGymWithPlan(gym);
    const member = await aMember(gym, planId);
    await changeMembership(gym, member, 'cancelMembership', member.membershipId);
    expect(dataOf(await joinGym(gym, member, planId)).status).toBe('ACTIVE');
    const statuses = (await membershipsOf(member.id, member.token)).map((m: any) => m.status);
    expect(statuses).toEqual(['ACTIVE', 'CANCELLED']);
  });

  it('when the plan is unknown, then it is NOT_FOUND; without a token it is UNAUTHENTICATED', async () => {
    const member = await aUser(gym);
    expect(codeOf(await joinGym(gym, member, randomUUID()))).toBe('NOT_FOUND');
    expect(codeOf(await joinGym(gym, member, 'not-an-id'))).toBe('NOT_FOUND');
    const anonymous = await gym.graphql('mutation { joinGym(planId: "x") { id } }');
    expect(codeOf(anonymous)).toBe('UNAUTHENTICATED');
  });
});

describe('the membership lifecycle', () => {
  it('when a member freezes and later resumes, then the end date moves by the time spent frozen', async () => {
    const { planId } = await aGymWithPlan(gym);
    const member = await aMember(gym, planId);
    const frozen = dataOf(
      await changeMembership(gym, member, 'freezeMembership', member.membershipId),
    );
    expect(frozen.status).toBe('FROZEN');
    // Ten days frozen: the freeze (and the rest of the membership) moves ten days back.
    await shiftBack(member.membershipId, 10);
    const endsBeforeResume = new Date(frozen.endsAt).getTime() - 10 * DAY_MS;
    const resumed = dataOf(
      await changeMembership(gym, member, 'resumeMembership', member.membershipId),
    );
    expect(resumed.status).toBe('ACTIVE');
    expect(new Date(resumed.endsAt).getTime() - endsBeforeResume).toBeGreaterThanOrEqual(
      10 * DAY_MS,
    );
    expect(new Date(resumed.endsAt).getTime() - endsBeforeResume).toBeLessThan(
      10 * DAY_MS + 60_000,
    );
  });

  it('when a change does not fit the state, then it is CONFLICT', async () => {
    const { planId } = await aGymWithPlan(gym);
    const member = await aMember(gym, planId);
    const id = member.membershipId;
    expect(codeOf(await changeMembership(gym, member, 'resumeMembership', id))).toBe('CONFLICT');
    await changeMembership(gym, member, 'freezeMembership', id);
    expect(codeOf(await changeMembership(gym, member, 'freezeMembership', id))).toBe('CONFLICT');
    expect(dataOf(await changeMembership(gym, member, 'cancelMembership', id)).status).toBe(
      'CANCELLED',
    );
    for (const change of ['freezeMembership', 'resumeMembership', 'cancelMembership'] as const) {
      expect(codeOf(await changeMembership(gym, member, change, id))).toBe('CONFLICT');
    }
  });

  it('when a membership runs past its end date, then it reads as EXPIRED, cannot change, and the member may join again', async () => {
    const { planId } = await aGymWithPlan(gym);
    const member = await aMember(gym, planId);
    await shiftBack(member.membershipId, 40);
    const [expired] = await membershipsOf(member.id, member.token);
    expect(expired.status).toBe('EXPIRED');
    for (const change of ['freezeMembership', 'resumeMembership', 'cancelMembership'] as const) {
      expect(codeOf(await changeMembership(gym, member, change, member.membershipId))).toBe(
        'CONFLICT',
      );
    }
    const renewed = dataOf(await joinGym(gym, member, planId));
    expect(await membershipsOf(member.id, member.token, 'ACTIVE')).toEqual([renewed]);
    expect((await membershipsOf(member.id, member.token, 'EXPIRED')).map((m: any) => m.id)).toEqual(
      [member.membershipId],
    );
  });

  it('when a FROZEN membership is cancelled, then it is CANCELLED', async () => {
    const { planId } = await aGymWithPlan(gym);
    const member = await aMember(gym, planId);
    await changeMembership(gym, member, 'freezeMembership', member.membershipId);
    const cancelled = await changeMembership(gym, member, 'cancelMembership', member.membershipId);
    expect(dataOf(cancelled).status).toBe('CANCELLED');
  });
});

describe('who may change a membership', () => {
  it.each(['freezeMembership', 'cancelMembership'] as const)(
    "when another member or the gym's owner calls %s, then it is FORBIDDEN and the membership stays ACTIVE",
    async (change) => {
      const { owner, planId } = await aGymWithPlan(gym);
      const member = await aMember(gym, planId);
      const other = await aUser(gym);
      expect(codeOf(await changeMembership(gym, other, change, member.membershipId))).toBe(
        'FORBIDDEN',
      );
      expect(codeOf(await changeMembership(gym, owner, change, member.membershipId))).toBe(
        'FORBIDDEN',
      );
      expect(codeOf(await changeMembership(gym, undefined, change, member.membershipId))).toBe(
        'UNAUTHENTICATED',
      );
      expect((await membershipsOf(member.id, member.token))[0].status).toBe('ACTIVE');
    },
  );

  it('when another member resumes my frozen membership, then it is FORBIDDEN and it stays FROZEN', async () => {
    const { planId } = await aGymWithPlan(gym);
    const member = await aMember(gym, planId);
    await changeMembership(gym, member, 'freezeMembership', member.membershipId);
    const other = await aUser(gym);
    expect(
      codeOf(await changeMembership(gym, other, 'resumeMembership', member.membershipId)),
    ).toBe('FORBIDDEN');
    expect((await membershipsOf(member.id, member.token))[0].status).toBe('FROZEN');
  });

  it('when an admin freezes, resumes and cancels a membership, then it changes', async () => {
    const { planId } = await aGymWithPlan(gym);
    const member = await aMember(gym, planId);
    const admin = await aUser(gym, 'ADMIN');
    for (const [change, status] of [
      ['freezeMembership', 'FROZEN'],
      ['resumeMembership', 'ACTIVE'],
      ['cancelMembership', 'CANCELLED'],
    ] as const) {
      expect(dataOf(await changeMembership(gym, admin, change, member.membershipId)).status).toBe(
        status,
      );
    }
  });

  it('when the membership is unknown, then it is NOT_FOUND', async () => {
    const member = await aUser(gym);
    expect(codeOf(await changeMembership(gym, member, 'freezeMembership', randomUUID()))).toBe(
      'NOT_FOUND',
    );
  });
});
