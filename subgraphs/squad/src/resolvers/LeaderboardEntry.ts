import type { LeaderboardEntryResolvers } from '../generated/graphql';

export const LeaderboardEntry: LeaderboardEntryResolvers = {
  user: (entry) => ({ id: entry.userId }),
};
