import type { Logger } from '@fitnexa/shared/logger';
import { DEMO_GYM_IDS, DEMO_USERS, type Principal } from '@fitnexa/shared/types';
import type { SquadRepositories } from './data/repositories';
import type { LiveUpdates } from './domain/realtime';
import { createUseCases } from './domain/use-cases';

/** The demo squad's id, fixed so that other demo data and the apps can refer to it. */
export const DEMO_SQUAD_ID = '0b7e5c1a-5d2f-4c1e-9a53-000000000001';

const DAY_MS = 86_400_000;
const CHALLENGE_DAYS = 30;
/** The challenge started this long ago. */
const CHALLENGE_STARTED_DAYS_AGO = 7;
/** Workouts (kilograms lifted) that counted towards the challenge since. */
const WORKOUTS = [
  { who: 'member', daysAgo: 6, volumeKg: 3120 },
  { who: 'coach', daysAgo: 5, volumeKg: 2450 },
  { who: 'member', daysAgo: 3, volumeKg: 3380 },
  { who: 'coach', daysAgo: 2, volumeKg: 2900 },
  { who: 'member', daysAgo: 1, volumeKg: 3655 },
] as const;

/** `daysFromToday` days from today at `hour`:00 UTC. */
function dayAt(today: Date, daysFromToday: number, hour: number): Date {
  const date = new Date(today.getTime() + daysFromToday * DAY_MS);
  date.setUTCHours(hour, 0, 0, 0);
  return date;
}

export interface DemoSeedDeps {
  repositories: SquadRepositories;
  live: LiveUpdates;
  logger: Logger;
}

/**
 * Gives the demo accounts a squad, once: only while there is no squad. The demo member owns the
 * PUBLIC "Mitte Lifters" at the demo home gym, the demo coach joined it, and both made progress in
 * its running volume challenge. It goes through the same use cases as the API, with a clock set
 * back for the history, so the feed tells it.
 */
export async function seedDemoSquad(deps: DemoSeedDeps): Promise<boolean> {
  if (await deps.repositories.squads.hasAny()) return false;
  const demo = {
    member: { userId: DEMO_USERS.member.id, role: DEMO_USERS.member.role },
    coach: { userId: DEMO_USERS.coach.id, role: DEMO_USERS.coach.role },
  } satisfies Record<string, Principal>;
  const today = new Date();
  let clock = dayAt(today, -CHALLENGE_STARTED_DAYS_AGO - 3, 18);
  const { squads, memberships, challenges, progress } = createUseCases({
    ...deps,
    now: () => clock,
  });

  await squads.create(
    demo.member,
    {
      name: 'Mitte Lifters',
      description:
        'Heavy compound lifts at FitNexa Mitte, most weekday evenings. All levels welcome.',
      visibility: 'PUBLIC',
      homeGymId: DEMO_GYM_IDS.home,
    },
    { id: DEMO_SQUAD_ID },
  );
  clock = dayAt(today, -CHALLENGE_STARTED_DAYS_AGO - 2, 19);
  await memberships.join(demo.coach, DEMO_SQUAD_ID);
  clock = dayAt(today, -CHALLENGE_STARTED_DAYS_AGO - 1, 20);
  const startsAt = dayAt(today, -CHALLENGE_STARTED_DAYS_AGO, 0);
  const challenge = await challenges.create(demo.member, {
    squadId: DEMO_SQUAD_ID,
    title: 'Lift 20 tonnes this month',
    metric: 'TOTAL_VOLUME_KG',
    goal: 20_000,
    startsAt,
    endsAt: new Date(startsAt.getTime() + CHALLENGE_DAYS * DAY_MS),
  });
  for (const workout of WORKOUTS) {
    clock = dayAt(today, -workout.daysAgo, 19);
    await progress.record({
      userId: demo[workout.who].userId,
      metric: 'TOTAL_VOLUME_KG',
      amount: workout.volumeKg,
      occurredAt: clock,
    });
  }

  deps.logger.info('demo squad seeded', {
    squadId: DEMO_SQUAD_ID,
    ownerId: demo.member.userId,
    challengeId: challenge.id,
    workouts: WORKOUTS.length,
  });
  return true;
}
