import { DEMO_GYM_IDS, DEMO_USERS } from '@fitnexa/shared/types';
import { uniqueName } from '@fitnexa/shared/testing';
import { userFields } from './factories';
import { startTestGym } from './harness';

describe('demo data', () => {
  it('when the embedded default starts, then the demo owner has gyms with plans and classes, the demo member a membership, check-ins and bookings, seeded once', async () => {
    const schema = uniqueName('fitnexa_gym');
    const first = await startTestGym({ schema, seedDemoData: true });
    expect(first.server.seeded).toBe(true);
    await first.stop({ keepSchema: true });

    const again = await startTestGym({ schema, seedDemoData: true });
    try {
      expect(again.server.seeded).toBe(false);
      const owned = await userFields(
        again,
        [DEMO_USERS.owner.id],
        'ownedGyms { id plans { name } }',
      );
      expect(owned.data._entities[0].ownedGyms.map((gym: any) => gym.id).sort()).toEqual(
        Object.values(DEMO_GYM_IDS).sort(),
      );
      for (const gym of owned.data._entities[0].ownedGyms) {
        expect(gym.plans.map((plan: any) => plan.name)).toEqual(['Monthly', 'Yearly']);
      }
      const schedule = await again.graphql(
        'query S($gymId: ID!, $from: DateTime!, $to: DateTime!) { gymSchedule(gymId: $gymId, from: $from, to: $to) { startsAt coach { id } } }',
        {
          gymId: DEMO_GYM_IDS.home,
          from: new Date().toISOString(),
          to: new Date(Date.now() + 15 * 86_400_000).toISOString(),
        },
      );
      expect(schedule.data.gymSchedule).toHaveLength(14);
      expect(new Set(schedule.data.gymSchedule.map((gymClass: any) => gymClass.coach.id))).toEqual(
        new Set([DEMO_USERS.coach.id]),
      );

      const member = DEMO_USERS.member;
      const token = await again.tokenFor({ userId: member.id, role: member.role });
      const week = {
        from: new Date().toISOString(),
        to: new Date(Date.now() + 7 * 86_400_000).toISOString(),
      };
      const result = await userFields(
        again,
        [member.id],
        `memberships { status gym { id name } plan { name } }
         checkIns { edges { node { gym { id } } } }
         bookedClasses(from: $from, to: $to) { status class { gym { id } } }`,
        token,
        week,
      );
      expect(result.errors).toBeUndefined();
      const [user] = result.data._entities;
      expect(user.memberships).toEqual([
        {
          status: 'ACTIVE',
          gym: { id: DEMO_GYM_IDS.home, name: 'FitNexa Mitte' },
          plan: { name: 'Monthly' },
        },
      ]);
      expect(user.checkIns.edges.length).toBeGreaterThan(0);
      expect(user.bookedClasses).toEqual([
        { status: 'BOOKED', class: { gym: { id: DEMO_GYM_IDS.home } } },
        { status: 'BOOKED', class: { gym: { id: DEMO_GYM_IDS.home } } },
      ]);
    } finally {
      await again.stop();
    }
  });
});
