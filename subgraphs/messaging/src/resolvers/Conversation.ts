import type { ConversationResolvers } from '../generated/graphql';

export const Conversation: ConversationResolvers = {
  squad: (conversation) => (conversation.squadId ? { id: conversation.squadId } : null),

  participants: (conversation, _, { loaders }) =>
    loaders.participantsByConversationId.load(conversation.id),

  lastMessage: (conversation, _, { loaders }) =>
    loaders.lastMessageByConversationId.load(conversation.id),

  unreadCount: (conversation, _, { loaders }) =>
    loaders.unreadCountOfParticipant.load({
      conversationId: conversation.id,
      userId: conversation.readerId,
    }),
};
