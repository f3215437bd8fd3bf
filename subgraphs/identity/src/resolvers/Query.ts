import { requireRole, requireUser } from '@fitnexa/shared/auth';
import { NotFoundError } from '@fitnexa/shared/errors';
import { connection, pageRequest } from '@fitnexa/shared/graphql';
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

  async users(_, args, context) {
    requireRole(context, 'ADMIN');
    const { first, after } = pageRequest(args);
    const rows = await context.users.page(first + 1, after && isUuid(after) ? after : null);
    return connection(rows, first, (user) => user.id);
  },
};
