import type { RealtimeEvent } from '@fitnexa/shared/realtime';
import { callerOf } from '../domain/access';
import {
  messageOfPayload,
  TYPING,
  type MessagePayload,
  type TypingPayload,
} from '../domain/realtime';
import type { SubscriptionResolvers } from '../generated/graphql';

// `subscribe` checks participation before it returns the stream, so a client that may not listen
// gets its error at once instead of a subscription that stays silent.
export const Subscription: SubscriptionResolvers = {
  messageAdded: {
    subscribe: (_, { conversationId, after }, context) =>
      context.messages.added(callerOf(context), conversationId, after),
    resolve: (event: RealtimeEvent<MessagePayload>) => messageOfPayload(event.payload),
  },

  typing: {
    subscribe: (_, { conversationId }, context) =>
      context.conversations.events(callerOf(context), conversationId, [TYPING]),
    resolve: (event: RealtimeEvent<TypingPayload>) => event.payload,
  },
};
