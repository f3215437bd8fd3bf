import { callerOf } from '../domain/access';
import type { MutationResolvers } from '../generated/graphql';
import { viewOf } from './views';

export const Mutation: MutationResolvers = {
  async startDirectConversation(_, { userId }, context) {
    const caller = callerOf(context);
    return viewOf(await context.conversations.startDirect(caller, userId), caller.principal.userId);
  },

  sendMessage: (_, { conversationId, body }, context) =>
    context.messages.send(callerOf(context), conversationId, body),

  editMessage: (_, { id, body }, context) => context.messages.edit(callerOf(context), id, body),

  deleteMessage: (_, { id }, context) => context.messages.delete(callerOf(context), id),

  async markConversationRead(_, { conversationId, upToMessageId }, context) {
    const caller = callerOf(context);
    const { conversation } = await context.conversations.markRead(
      caller,
      conversationId,
      upToMessageId,
    );
    return viewOf(conversation, caller.principal.userId);
  },
};
