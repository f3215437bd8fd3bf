import { requireSelfOrAdmin } from '@fitnexa/shared/auth';
import type { UserResolvers } from '../generated/graphql';
import { conversationPage } from './views';

// Private to the user and admins (FORBIDDEN for anyone else), and batched: a query over many
// users costs one query per field, not one per user.
export const User: UserResolvers = {
  __resolveReference: (reference) => ({ id: reference.id }),

  conversations(user, args, context) {
    requireSelfOrAdmin(context, user.id);
    return conversationPage(user.id, args, context);
  },

  unreadCount(user, _, context) {
    requireSelfOrAdmin(context, user.id);
    return context.loaders.unreadCountByUserId.load(user.id);
  },
};
