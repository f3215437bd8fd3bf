import { parseInput } from '@fitnexa/shared/errors';
import { z } from 'zod';
import type { Contribution, ProgressMade, ProgressRepository } from '../data/progress';
import { LIVE_LEADERBOARD_SIZE, type LiveUpdates } from './live';
import { metric, uuid } from './validation';

export type { Contribution, ProgressMade };

const contribution = z.object({
  userId: uuid,
  metric,
  amount: z.number().positive('must be more than 0').max(1_000_000, 'must be at most 1000000'),
  occurredAt: z.date(),
});

export interface ChallengeProgressDeps {
  progress: ProgressRepository;
  live: LiveUpdates;
  now?: () => Date;
}

/**
 * Progress in challenges, fed by what members do elsewhere (completed workouts: volume and
 * sessions; gym check-ins). The event consumer of a later issue calls `record`.
 */
export class ChallengeProgress {
  private readonly now: () => Date;

  constructor(private readonly deps: ChallengeProgressDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  /**
   * Adds `amount` to every challenge of `metric` running at `occurredAt` in every squad the user
   * belongs to; writes CHALLENGE_PROGRESS (and, on reaching the goal, CHALLENGE_COMPLETED) feed
   * entries, and publishes them and each changed challenge's leaderboard once. BAD_USER_INPUT
   * for a malformed contribution.
   */
  async record(input: Contribution): Promise<ProgressMade[]> {
    const data = parseInput(contribution, input);
    const { made, activities } = await this.deps.progress.record(data, this.now());
    await this.deps.live.activities(activities);
    if (!made.length) return made;
    const leaderboards = await this.deps.progress.leaderboards(
      made.map(({ challengeId }) => ({ challengeId, take: LIVE_LEADERBOARD_SIZE })),
    );
    for (const [index, { squadId, challengeId }] of made.entries()) {
      await this.deps.live.leaderboard(squadId, challengeId, leaderboards[index] ?? []);
    }
    return made;
  }
}
