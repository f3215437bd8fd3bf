import { parseInput } from '@fitnexa/shared/errors';
import { z } from 'zod';
import type { ActivityRecord } from '../data/activities';
import type { Contribution, ProgressMade, ProgressRepository } from '../data/progress';
import type { SquadTx } from '../db';
import { LIVE_LEADERBOARD_SIZE, type LiveUpdates } from './realtime';
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

/** Progress recorded in a transaction, and what to publish once it committed. */
export interface RecordedProgress {
  made: ProgressMade[];
  /** The feed entries and each changed challenge's leaderboard, live; call after the commit. */
  publish(): Promise<void>;
}

/**
 * Progress in challenges, fed by what members do elsewhere (completed workouts: volume and
 * sessions; gym check-ins): the event handlers call `recordIn` in their transaction.
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
    await this.publish(made, activities);
    return made;
  }

  /**
   * As `record` for each contribution, in `tx` (an event handler's, so that the progress commits
   * with the event's being handled); publishes nothing: `publish` does, after the commit.
   */
  async recordIn(tx: SquadTx, inputs: readonly Contribution[]): Promise<RecordedProgress> {
    const made: ProgressMade[] = [];
    const activities: ActivityRecord[] = [];
    for (const input of inputs) {
      const data = parseInput(contribution, input);
      const recorded = await this.deps.progress.record(data, this.now(), tx);
      made.push(...recorded.made);
      activities.push(...recorded.activities);
    }
    return { made, publish: () => this.publish(made, activities) };
  }

  /** Publishes the challenges' current leaderboards (read now), one each. */
  async publishLeaderboards(
    challenges: readonly { squadId: string; challengeId: string }[],
  ): Promise<void> {
    const unique = [...new Map(challenges.map((item) => [item.challengeId, item])).values()];
    if (!unique.length) return;
    const leaderboards = await this.deps.progress.leaderboards(
      unique.map(({ challengeId }) => ({ challengeId, take: LIVE_LEADERBOARD_SIZE })),
    );
    for (const [index, { squadId, challengeId }] of unique.entries()) {
      await this.deps.live.leaderboard(squadId, challengeId, leaderboards[index] ?? []);
    }
  }

  private async publish(made: readonly ProgressMade[], activities: readonly ActivityRecord[]) {
    await this.deps.live.activities(activities);
    await this.publishLeaderboards(made);
  }
}
