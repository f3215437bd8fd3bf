import type { MessageResolvers } from '../generated/graphql';

export const Message: MessageResolvers = {
  sender: (message) => ({ id: message.senderId }),
};
