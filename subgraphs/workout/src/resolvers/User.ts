import { requireSelfOrAdmin } from '@fitnexa/shared/auth';
import { connection } from '@fitnexa/shared/graphql';
import type { UserResolvers } from '../generated/graphql';
import { statsRequest } from '../domain/stats';
import { sessionCursor, sessionPageRequest } from '../domain/workouts';

// Every field here is private to the user and admins (FORBIDDEN for anyone else), and batched:
// a query over many users costs one query per field, not one per user.
export const User: UserResolvers = {
  __resolveReference: (reference) => ({ id: reference.id }),

  async workoutSessions(user, args, context) {
    requireSelfOrAdmin(context, user.id);
    const { first, after } = sessionPageRequest(args);
    const rows = await context.loaders.sessionPage.load({
      userId: user.id,
      take: first + 1,
      after,
    });
    return connection(rows, first, sessionCursor);
  },

  personalRecords(user, _, context) {
    requireSelfOrAdmin(context, user.id);
    return context.loaders.recordsByUserId.load(user.id);
  },

  stats(user, { range }, context) {
    requireSelfOrAdmin(context, user.id);
    return context.loaders.stats.load(statsRequest(user.id, range));
  },
};
