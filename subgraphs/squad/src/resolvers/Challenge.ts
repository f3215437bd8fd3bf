import { leaderboardRequest } from '../domain/challenges';
import type { ChallengeResolvers } from '../generated/graphql';
import { squadOf } from './visibility';

// A challenge reaches a viewer only through its squad, so its fields need no check of their own.
export const Challenge: ChallengeResolvers = {
  squad: (challenge, _, context) => squadOf(context, challenge.squadId),

  status: (challenge, _, context) => context.challenges.statusOf(challenge),

  createdBy: (challenge) => ({ id: challenge.createdById }),

  leaderboard: (challenge, { first }, { loaders }) =>
    loaders.leaderboard.load(leaderboardRequest(challenge.id, first)),
};
