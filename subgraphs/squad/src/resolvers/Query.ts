import { requireUser } from '@fitnexa/shared/auth';
import type { QueryResolvers } from '../generated/graphql';
import { visibleSquad } from './visibility';

// Everything here needs a signed-in viewer; PRIVATE squads exist only for their members and admins.
export const Query: QueryResolvers = {
  squad: async (_, { id }, context) =>
    visibleSquad(context, await context.loaders.squadById.load(id)),

  squads: (_, args, context) => {
    requireUser(context);
    return context.squads.directory(args);
  },

  squadFeed: (_, { squadId, ...args }, context) =>
    context.squads.feed(requireUser(context), squadId, args),

  async challenge(_, { id }, context) {
    requireUser(context);
    const challenge = await context.loaders.challengeById.load(id);
    if (!challenge) return null;
    const squad = await context.loaders.squadById.load(challenge.squadId);
    return (await visibleSquad(context, squad)) ? challenge : null;
  },

  mySquadInvitations: (_, __, context) => context.memberships.invitationsOf(requireUser(context)),
};
