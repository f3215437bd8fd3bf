import type { SquadActivityResolvers } from '../generated/graphql';

export const SquadActivity: SquadActivityResolvers = {
  actor: (activity) => ({ id: activity.actorId }),

  subject: (activity) => (activity.subjectId ? { id: activity.subjectId } : null),

  challenge: (activity, _, { loaders }) =>
    activity.challengeId ? loaders.challengeById.load(activity.challengeId) : null,
};
