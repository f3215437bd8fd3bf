import { randomUUID } from 'node:crypto';
import { capturingLogger } from '@fitnexa/shared/testing';
import { aGymWithPlan, aMember, aUser, checkIn, dataOf, joinGym, userFields } from './factories';
import { codeOf, startTestGym, type TestGym } from './harness';

describe("who sees a user's memberships and check-ins", () => {
  let gym: TestGym;
  // One member of two gyms of two owners, checked in at both.
  let member: { id: string; token: string };
  let first: Awaited<ReturnType<typeof aGymWithPlan>>;
  let second: Awaited<ReturnType<typeof aGymWithPlan>>;

  beforeAll(async () => {
    gym = await startTestGym();
    first = await aGymWithPlan(gym);
    second = await aGymWithPlan(gym);
    member = await aMember(gym, first.planId);
    dataOf(await joinGym(gym, member, second.planId));
    for (const { gymId } of [first, second]) dataOf(await checkIn(gym, member, gymId));
  });
  afterAll(() => gym.stop());

  const visibleGyms = async (token?: string) => {
    const result = await userFields(
      gym,
      [member.id],
      'memberships { gym { id } } checkIns { edges { node { gym { id } } } }',
      token,
    );
    if (result.errors) return codeOf(result);
    const [user] = result.data._entities;
    return {
      memberships: user.memberships.map((membership: any) => membership.gym.id).sort(),
      checkIns: user.checkIns.edges.map((edge: any) => edge.node.gym.id).sort(),
    };
  };
  const both = () => [first.gymId, second.gymId].sort();

  it('when the member reads them, then they see all of theirs', async () => {
    expect(await visibleGyms(member.token)).toEqual({ memberships: both(), checkIns: both() });
  });

  it('when an admin reads them, then they see all of them', async () => {
    const admin = await aUser(gym, 'ADMIN');
    expect(await visibleGyms(admin.token)).toEqual({ memberships: both(), checkIns: both() });
  });

  it("when a gym's owner reads them, then they see only those at their own gyms", async () => {
    expect(await visibleGyms(first.owner.token)).toEqual({
      memberships: [first.gymId],
      checkIns: [first.gymId],
    });
    expect(await visibleGyms(second.owner.token)).toEqual({
      memberships: [second.gymId],
      checkIns: [second.gymId],
    });
  });

  it.each(['MEMBER', 'COACH', 'GYM_OWNER'] as const)(
    'when a %s with nothing to do with them reads them, then they see none',
    async (role) => {
      const stranger = await aUser(gym, role);
      expect(await visibleGyms(stranger.token)).toEqual({ memberships: [], checkIns: [] });
    },
  );

  it('when nobody is signed in, then reading them is UNAUTHENTICATED but owned gyms are public', async () => {
    expect(await visibleGyms()).toBe('UNAUTHENTICATED');
    const owned = await userFields(gym, [first.owner.id], 'ownedGyms { id }');
    expect(owned.data._entities[0].ownedGyms).toEqual([{ id: first.gymId }]);
  });
});

describe('batching', () => {
  it('when 10 or 200 users are resolved with their memberships, check-ins and owned gyms, then both cost the same number of SQL statements', async () => {
    const logs = capturingLogger('gym');
    // The in-process cache: this test is about SQL, and a cache that never times out keeps the
    // count exact (the Redis-backed cache is tested in cache.test.ts).
    const counted = await startTestGym({ logger: logs.logger, redisUrl: undefined });
    try {
      const admin = await aUser(counted, 'ADMIN');
      const gyms = [];
      for (let index = 0; index < 3; index += 1) gyms.push(await aGymWithPlan(counted));
      const users: string[] = gyms.map(({ owner }) => owner.id);
      for (let index = 0; index < 20; index += 1) {
        const { gymId, planId } = gyms[index % gyms.length]!;
        const member = await aMember(counted, planId);
        dataOf(await checkIn(counted, member, gymId));
        dataOf(await checkIn(counted, member, gymId));
        users.push(member.id);
      }
      const statementsFor = async (userIds: string[]) => {
        const before = logs.entries.filter((entry) => entry.message === 'sql').length;
        const result = await userFields(
          counted,
          userIds,
          `memberships { gym { name owner { id } } plan { name } }
           checkIns { edges { node { gym { name } } } }
           ownedGyms { name }`,
          admin.token,
        );
        expect(result.errors).toBeUndefined();
        expect(result.data._entities).toHaveLength(userIds.length);
        return logs.entries.filter((entry) => entry.message === 'sql').length - before;
      };
      const ten = users.slice(0, 10);
      const twoHundred = [
        ...users,
        ...Array.from({ length: 200 - users.length }, () => randomUUID()),
      ];

      // The check-ins' events go out first, so the relay's statements are in neither count.
      await counted.server.outbox.drain();
      // Warms the cached gyms, so neither count includes loading them.
      await statementsFor(twoHundred);
      const ofTen = await statementsFor(ten);
      const ofTwoHundred = await statementsFor(twoHundred);
      // Memberships, check-in pages, owned gyms and plans; gyms come from the cache.
      expect(ofTen).toBe(4);
      expect(ofTwoHundred).toBe(ofTen);
    } finally {
      await counted.stop();
    }
  });
});
