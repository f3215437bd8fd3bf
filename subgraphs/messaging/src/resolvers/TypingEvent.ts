import type { TypingEventResolvers } from '../generated/graphql';

export const TypingEvent: TypingEventResolvers = {
  user: (event) => ({ id: event.userId }),

  at: (event) => new Date(event.at),
};
