import { requireUser } from '@fitnexa/shared/auth';
import { isAdmin } from '../domain/access';
import type { UserResolvers } from '../generated/graphql';

export const User: UserResolvers = {
  __resolveReference: (reference) => ({ id: reference.id }),

  // Batched: the squads of many users cost one query.
  squads(user, _, context) {
    const viewer = requireUser(context);
    const publicOnly = viewer.userId !== user.id && !isAdmin(viewer);
    return context.loaders.squadsOfUser.load({ userId: user.id, publicOnly });
  },
};
