import { requireUser } from '@fitnexa/shared/auth';
import { NotFoundError } from '@fitnexa/shared/errors';
import { isUuid } from '@fitnexa/shared/db';
import type { QueryResolvers } from '../generated/graphql';

export const Query: QueryResolvers = {
  async me(_, __, context) {
    const principal = requireUser(context);
    const user = await context.userById.load(principal.userId);
    // A valid token for an account deleted since it was issued.
    if (!user) throw new NotFoundError('User');
    return user;
  },

  user: (_, { id }, context) => (isUuid(id) ? context.userById.load(id) : null),

  users: (_, args, context) => context.directory.page(context, args),
};
