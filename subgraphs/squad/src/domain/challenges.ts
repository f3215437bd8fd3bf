import { ForbiddenError, parseInput } from '@fitnexa/shared/errors';
import { timeCursor } from '@fitnexa/shared/graphql';
import type { Principal } from '@fitnexa/shared/types';
import { z } from 'zod';
import type { ChallengeRecord, ChallengeRepository } from '../data/challenges';
import type { LeaderboardRequest } from '../data/progress';
import { requireManager } from './access';
import type { LiveUpdates } from './realtime';
import type { Squads } from './squads';
import { metric, text } from './validation';

const DAY_MS = 86_400_000;
const MAX_DAYS = 366;
const MAX_GOAL = 10_000_000;

/** A challenge's input, checked against the clock: it must end in the future. */
const createInput = (now: Date) =>
  z
    .object({
      squadId: z.string(),
      title: text(80),
      metric,
      goal: z.number().positive('must be more than 0').max(MAX_GOAL, `must be at most ${MAX_GOAL}`),
      startsAt: z.date(),
      endsAt: z.date(),
    })
    .refine((input) => input.metric === 'TOTAL_VOLUME_KG' || Number.isInteger(input.goal), {
      message: 'must be a whole number for sessions and check-ins',
      path: ['goal'],
    })
    .refine((input) => input.endsAt > input.startsAt, {
      message: 'must be after startsAt',
      path: ['endsAt'],
    })
    .refine((input) => input.endsAt.getTime() - input.startsAt.getTime() <= MAX_DAYS * DAY_MS, {
      message: `must be at most ${MAX_DAYS} days after startsAt`,
      path: ['endsAt'],
    })
    .refine((input) => input.endsAt > now, { message: 'must be in the future', path: ['endsAt'] });

const leaderboardInput = z.object({
  first: z.number().int().min(1, 'must be at least 1').max(100, 'must be at most 100'),
});

/** Validates the size of a leaderboard (BAD_USER_INPUT otherwise). */
export function leaderboardRequest(
  challengeId: string,
  first: number | null | undefined,
): LeaderboardRequest {
  return { challengeId, take: parseInput(leaderboardInput, { first: first ?? 20 }).first };
}

export type ChallengeStatus = 'UPCOMING' | 'RUNNING' | 'ENDED';

/** Cursors of a squad's challenges: the position of the challenge in the list. */
export const challengeCursor = (challenge: ChallengeRecord) =>
  timeCursor(challenge.createdAt, challenge.id);

export interface ChallengesDeps {
  squads: Squads;
  challenges: ChallengeRepository;
  live: LiveUpdates;
  now?: () => Date;
}

/** Squad challenges: created by the squad's OWNER or an ADMIN, running within their period. */
export class Challenges {
  private readonly now: () => Date;

  constructor(private readonly deps: ChallengesDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  statusOf(challenge: ChallengeRecord): ChallengeStatus {
    const now = this.now();
    if (now < challenge.startsAt) return 'UPCOMING';
    return now < challenge.endsAt ? 'RUNNING' : 'ENDED';
  }

  /**
   * The challenge, when the principal may see its squad; FORBIDDEN otherwise, whether or not
   * there is such a challenge (as Squads.requireVisible).
   */
  async requireVisible(principal: Principal, challengeId: string): Promise<ChallengeRecord> {
    const [challenge] = await this.deps.challenges.findByIds([challengeId]);
    if (!challenge) throw new ForbiddenError('You may not follow this challenge');
    await this.deps.squads.requireVisible(principal, challenge.squadId);
    return challenge;
  }

  async create(principal: Principal, input: unknown): Promise<ChallengeRecord> {
    const now = this.now();
    const { squadId, ...data } = parseInput(createInput(now), input);
    const squad = await this.deps.squads.find(squadId);
    requireManager(await this.deps.squads.roleOf(squad.id, principal.userId));
    const { challenge, activity } = await this.deps.challenges.create(
      { ...data, squadId: squad.id, createdById: principal.userId, createdAt: now },
      (challengeId) => ({
        squadId: squad.id,
        kind: 'CHALLENGE_CREATED',
        actorId: principal.userId,
        challengeId,
        createdAt: now,
      }),
    );
    await this.deps.live.activities([activity]);
    return challenge;
  }
}
