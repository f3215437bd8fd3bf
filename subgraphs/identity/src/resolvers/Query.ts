import { requireRole, requireUser } from '@fitnexa/shared/auth';
import { NotFoundError, parseInput } from '@fitnexa/shared/errors';
import { z } from 'zod';
import { isUuid } from '../data/users';
import type { QueryResolvers } from '../generated/graphql';

const pageArgs = z.object({
  first: z.number().int().min(1, 'must be at least 1').max(100, 'must be at most 100'),
  after: z.string().nullish(),
});

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
    const { first, after } = parseInput(pageArgs, args);
    const afterId = after ? Buffer.from(after, 'base64url').toString('utf8') : null;
    const { users, hasNextPage } = await context.users.page(
      first,
      afterId && isUuid(afterId) ? afterId : null,
    );
    const edges = users.map((node) => ({
      cursor: Buffer.from(node.id).toString('base64url'),
      node,
    }));
    return { edges, pageInfo: { hasNextPage, endCursor: edges.at(-1)?.cursor ?? null } };
  },
};
