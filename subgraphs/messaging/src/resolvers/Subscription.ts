import type { RealtimeEvent } from '@fitnexa/shared/realtime';
import { callerOf } from '../domain/access';
import type { MessageRecord } from '../data/messages';
import { TYPING, type TypingPayload } from '../domain/realtime';
import type { SubscriptionResolvers } from '../generated/graphql';

// `subscribe` checks participation before it returns the stream, so a client that may not listen
// gets its error at once instead of a subscription that stays silent.
export const Subscription: SubscriptionResolvers = {
  messageAdded: {
    subscribe: (_, { conversationId, after }, context) =>
      context.messages.added(callerOf(context), conversationId, after),
    resolve: (message: MessageRecord) => message,
  },

  typing: {
    subscribe: (_, { conversationId }, context) =>
      context.conversations.events(callerOf(context), conversationId, [TYPING]),
    resolve: (event: RealtimeEvent<TypingPayload>) => event.payload,
  },
};
