import type { SquadRepositories } from '../data/repositories';
import { ChallengeProgress } from './progress';
import { Challenges } from './challenges';
import type { LiveUpdates } from './realtime';
import { Memberships } from './memberships';
import { Squads } from './squads';

export interface UseCases {
  squads: Squads;
  memberships: Memberships;
  challenges: Challenges;
  progress: ChallengeProgress;
  live: LiveUpdates;
}

/** The use cases over squads, on one clock (the seed sets it back to make history). */
export function createUseCases(deps: {
  repositories: SquadRepositories;
  live: LiveUpdates;
  now?: () => Date;
}): UseCases {
  const { repositories, live, now } = deps;
  const squads = new Squads({
    squads: repositories.squads,
    members: repositories.members,
    activities: repositories.activities,
    live,
    now,
  });
  return {
    squads,
    memberships: new Memberships({
      squads,
      members: repositories.members,
      joinRequests: repositories.joinRequests,
      invitations: repositories.invitations,
      live,
      now,
    }),
    challenges: new Challenges({ squads, challenges: repositories.challenges, live, now }),
    progress: new ChallengeProgress({ progress: repositories.progress, live, now }),
    live,
  };
}
