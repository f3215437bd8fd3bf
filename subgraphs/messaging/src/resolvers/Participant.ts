import type { ParticipantResolvers } from '../generated/graphql';

export const Participant: ParticipantResolvers = {
  user: (participant) => ({ id: participant.userId }),

  lastReadMessage: (participant, _, { loaders }) =>
    participant.lastReadMessageId ? loaders.messageById.load(participant.lastReadMessageId) : null,
};
