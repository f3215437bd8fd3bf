import { requireUser } from '@fitnexa/shared/auth';
import { callerOf } from '../domain/access';
import type { QueryResolvers } from '../generated/graphql';
import { conversationPage, viewOf } from './views';

export const Query: QueryResolvers = {
  conversations: (_, args, context) => conversationPage(requireUser(context).userId, args, context),

  async conversation(_, { id }, context) {
    const caller = callerOf(context);
    const conversation = await context.conversations.find(caller, id);
    return conversation && viewOf(conversation, caller.principal.userId);
  },

  messages: (_, { conversationId, last, before }, context) =>
    context.messages.page(callerOf(context), conversationId, { last, before }),
};
