import type { Logger } from '@fitnexa/shared/logger';
import { DEMO_GYM_IDS, DEMO_USERS, type Principal } from '@fitnexa/shared/types';
import type { GymRepositories } from './data/repositories';
import type { GymClassRecord } from './data/classes';
import type { PlanRecord } from './data/plans';
import type { Gyms } from './domain/gyms';
import { createUseCases } from './domain/use-cases';

const DAY_MS = 86_400_000;

const weekdays = [1, 2, 3, 4, 5].map((dayOfWeek) => ({
  dayOfWeek,
  opens: '06:00',
  closes: '23:00',
}));
const weekend = [0, 6].map((dayOfWeek) => ({ dayOfWeek, opens: '08:00', closes: '20:00' }));

/** Three gyms in Berlin, a few kilometres apart around Mitte (52.52, 13.405). */
const gyms = [
  {
    id: DEMO_GYM_IDS.home,
    name: 'FitNexa Mitte',
    address: 'Rosenthaler Straße 40, 10178 Berlin',
    location: { lat: 52.5246, lng: 13.4022 },
    amenities: ['Free weights', 'Sauna', 'Showers', 'Group studio'],
  },
  {
    id: DEMO_GYM_IDS.second,
    name: 'FitNexa Kreuzberg',
    address: 'Oranienstraße 25, 10999 Berlin',
    location: { lat: 52.501, lng: 13.419 },
    amenities: ['Free weights', 'Boxing ring', 'Showers'],
  },
  {
    id: DEMO_GYM_IDS.third,
    name: 'FitNexa Prenzlauer Berg',
    address: 'Kastanienallee 12, 10435 Berlin',
    location: { lat: 52.5365, lng: 13.4078 },
    amenities: ['Free weights', 'Spin studio', 'Showers', 'Childcare'],
  },
];

const plans = [
  {
    name: 'Monthly',
    priceCents: 3990,
    currency: 'EUR',
    period: 'MONTHLY',
    perks: ['All equipment', 'Group classes'],
  },
  {
    name: 'Yearly',
    priceCents: 39900,
    currency: 'EUR',
    period: 'YEARLY',
    perks: ['All equipment', 'Group classes', 'Sauna', 'Two guest passes a month'],
  },
] as const;

/** One evening class a day at every gym, the titles taking turns. */
const classTypes = [
  { title: 'HIIT', durationMinutes: 45, capacity: 16 },
  { title: 'Yoga Flow', durationMinutes: 60, capacity: 20 },
  { title: 'Spin', durationMinutes: 45, capacity: 18 },
  { title: 'Strength Basics', durationMinutes: 60, capacity: 12 },
  { title: 'Boxing Conditioning', durationMinutes: 50, capacity: 14 },
];
const SCHEDULED_DAYS = 14;
/** The member joined this long ago, and checked in on these days since. */
const JOINED_DAYS_AGO = 10;
const CHECK_IN_DAYS_AGO = [9, 6, 4, 1];

/** `daysFromToday` days from today at `hour`:00 UTC. */
function dayAt(today: Date, daysFromToday: number, hour: number): Date {
  const date = new Date(today.getTime() + daysFromToday * DAY_MS);
  date.setUTCHours(hour, 0, 0, 0);
  return date;
}

export interface DemoSeedDeps {
  repositories: GymRepositories;
  gyms: Gyms;
  logger: Logger;
}

/**
 * Gives the demo accounts gyms to use, once: only while there is no gym. The demo owner gets three
 * gyms in Berlin with plans and two weeks of classes coached by the demo coach; the demo member a
 * membership of the first, a few check-ins and bookings of this week's classes. It goes through
 * the same use cases as the API, with a clock set back for the history.
 */
export async function seedDemoGyms(deps: DemoSeedDeps): Promise<boolean> {
  if (await deps.repositories.gyms.hasAny()) return false;
  const owner: Principal = { userId: DEMO_USERS.owner.id, role: DEMO_USERS.owner.role };
  const member: Principal = { userId: DEMO_USERS.member.id, role: DEMO_USERS.member.role };
  const today = new Date();
  let clock = today;
  const { memberships, classes, bookings, checkIns } = createUseCases({
    ...deps,
    now: () => clock,
  });

  const created: { id: string; monthly: PlanRecord; scheduled: GymClassRecord[] }[] = [];
  for (const [index, { id, ...gym }] of gyms.entries()) {
    await deps.gyms.create(owner, { ...gym, openingHours: [...weekend, ...weekdays] }, { id });
    const [monthly] = await Promise.all(
      plans.map((plan) => deps.gyms.createPlan(owner, { ...plan, gymId: id })),
    );
    const scheduled: GymClassRecord[] = [];
    for (let day = 1; day <= SCHEDULED_DAYS; day += 1) {
      const type = classTypes[(day + index) % classTypes.length]!;
      scheduled.push(
        await classes.schedule(owner, {
          ...type,
          gymId: id,
          coachId: DEMO_USERS.coach.id,
          startsAt: dayAt(today, day, 18),
        }),
      );
    }
    created.push({ id, monthly: monthly!, scheduled });
  }

  const home = created[0]!;
  clock = dayAt(today, -JOINED_DAYS_AGO, 7);
  const membership = await memberships.join(member, home.monthly.id);
  for (const daysAgo of CHECK_IN_DAYS_AGO) {
    clock = dayAt(today, -daysAgo, 7);
    await checkIns.checkIn(member, home.id);
  }
  clock = new Date();
  const booked = home.scheduled.slice(0, 2);
  for (const gymClass of booked) await bookings.book(member, gymClass.id);

  deps.logger.info('demo gyms seeded', {
    ownerId: owner.userId,
    gyms: created.length,
    classes: created.reduce((count, gym) => count + gym.scheduled.length, 0),
    memberId: member.userId,
    membershipId: membership.id,
    checkIns: CHECK_IN_DAYS_AGO.length,
    bookings: booked.length,
  });
  return true;
}
