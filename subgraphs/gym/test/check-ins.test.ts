import { randomUUID } from 'node:crypto';
import {
  aGymWithPlan,
  aMember,
  aUser,
  changeMembership,
  checkIn,
  dataOf,
  userFields,
} from './factories';
import { codeOf, startTestGym, type TestGym } from './harness';

let gym: TestGym;

beforeAll(async () => {
  gym = await startTestGym();
});
afterAll(() => gym.stop());

const CHECK_INS_PAGE =
  'checkIns(first: $first, after: $after) { edges { cursor node { id checkedInAt gym { id } } } pageInfo { hasNextPage endCursor } }';

const checkInsOf = async (user: { id: string; token: string }) =>
  (await userFields(gym, [user.id], CHECK_INS_PAGE, user.token, { first: 100 })).data._entities[0]
    .checkIns.edges;

describe('checking in', () => {
  it('when a member with an ACTIVE membership checks in, then the check-in is recorded at the gym', async () => {
    const { gymId, planId } = await aGymWithPlan(gym);
    const member = await aMember(gym, planId);
    const before = Date.now();
    const recorded = dataOf(await checkIn(gym, member, gymId));
    expect(recorded).toEqual({
      id: expect.any(String),
      checkedInAt: expect.any(String),
      user: { id: member.id },
      gym: { id: gymId },
    });
    expect(new Date(recorded.checkedInAt).getTime()).toBeGreaterThanOrEqual(before - 1);
    expect((await checkInsOf(member)).map((edge: any) => edge.node.id)).toEqual([recorded.id]);
  });

  it('when the member has no membership of the gym, or a FROZEN, CANCELLED or expired one, then it is FORBIDDEN and nothing is recorded', async () => {
    const { gymId, planId } = await aGymWithPlan(gym);
    const stranger = await aUser(gym);
    const frozen = await aMember(gym, planId);
    await changeMembership(gym, frozen, 'freezeMembership', frozen.membershipId);
    const cancelled = await aMember(gym, planId);
    await changeMembership(gym, cancelled, 'cancelMembership', cancelled.membershipId);
    const expired = await aMember(gym, planId);
    await gym.sql(`UPDATE "Membership" SET "endsAt" = now() - interval '1 day' WHERE id = $1`, [
      expired.membershipId,
    ]);
    const elsewhere = await aMember(gym, (await aGymWithPlan(gym)).planId);
    for (const user of [stranger, frozen, cancelled, expired, elsewhere]) {
      expect(codeOf(await checkIn(gym, user, gymId))).toBe('FORBIDDEN');
      expect(await checkInsOf(user)).toEqual([]);
    }
  });

  it('when the gym is unknown, then it is NOT_FOUND; without a token UNAUTHENTICATED', async () => {
    const member = await aUser(gym);
    expect(codeOf(await checkIn(gym, member, randomUUID()))).toBe('NOT_FOUND');
    expect(codeOf(await checkIn(gym, undefined, randomUUID()))).toBe('UNAUTHENTICATED');
  });
});

describe("a user's check-ins", () => {
  it('when a member pages through their check-ins, then they come newest first, each once', async () => {
    const { gymId, planId } = await aGymWithPlan(gym);
    const member = await aMember(gym, planId);
    const created: string[] = [];
    for (let index = 0; index < 5; index += 1) {
      created.push(dataOf(await checkIn(gym, member, gymId)).id);
    }
    const seen: { id: string; checkedInAt: string }[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const result = await userFields(gym, [member.id], CHECK_INS_PAGE, member.token, {
        first: 2,
        after,
      });
      const connection: any = result.data._entities[0].checkIns;
      seen.push(...connection.edges.map((edge: any) => edge.node));
      pages += 1;
      if (!connection.pageInfo.hasNextPage) break;
      after = connection.pageInfo.endCursor;
    }
    expect(pages).toBe(3);
    expect(seen.map((node) => node.id).sort()).toEqual([...created].sort());
    const times = seen.map((node) => node.checkedInAt);
    expect(times).toEqual([...times].sort().reverse());
  });

  it('when the page size or cursor is invalid, then it is BAD_USER_INPUT', async () => {
    const member = await aUser(gym);
    for (const variables of [{ first: 0 }, { first: 101 }, { first: 2, after: 'bm9wZQ' }]) {
      const result = await userFields(gym, [member.id], CHECK_INS_PAGE, member.token, variables);
      expect(codeOf(result)).toBe('BAD_USER_INPUT');
    }
  });
});
