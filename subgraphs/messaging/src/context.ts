import type { BaseContext } from '@fitnexa/shared/subgraph';
import DataLoader from 'dataloader';
import type { ConversationPageRequest, ConversationRecord } from './data/conversations';
import type { MessageRecord } from './data/messages';
import type { ParticipantKey, ParticipantRecord } from './data/participants';
import type { MessagingRepositories } from './data/repositories';
import type { UseCases } from './domain/use-cases';

/** Per-request loaders: every lookup of a kind in one request becomes one query (or none, cached). */
export interface MessagingLoaders {
  conversationPage: DataLoader<ConversationPageRequest, ConversationRecord[], string>;
  participantsByConversationId: DataLoader<string, ParticipantRecord[]>;
  messageById: DataLoader<string, MessageRecord | null>;
  lastMessageByConversationId: DataLoader<string, MessageRecord | null>;
  unreadCountOfParticipant: DataLoader<ParticipantKey, number, string>;
  unreadCountByUserId: DataLoader<string, number>;
}

export interface MessagingContext extends BaseContext, UseCases {
  loaders: MessagingLoaders;
}

// Bounds the size of one IN list: past a thousand keys a batch takes one more query per thousand.
const maxBatchSize = 1000;

export function createLoaders(repositories: MessagingRepositories): MessagingLoaders {
  const { conversations, participants, messages } = repositories;
  return {
    conversationPage: new DataLoader((requests) => conversations.pages(requests), {
      maxBatchSize,
      cacheKeyFn: (request) =>
        JSON.stringify([
          request.userId,
          request.take,
          request.after?.lastActivityAt.getTime(),
          request.after?.id,
        ]),
    }),
    participantsByConversationId: new DataLoader((ids) => participants.ofConversations(ids), {
      maxBatchSize,
    }),
    messageById: new DataLoader((ids) => messages.findByIds(ids), { maxBatchSize }),
    lastMessageByConversationId: new DataLoader((ids) => messages.latest(ids), { maxBatchSize }),
    unreadCountOfParticipant: new DataLoader((keys) => participants.unreadCounts(keys), {
      maxBatchSize,
      cacheKeyFn: (key) => `${key.conversationId}:${key.userId}`,
    }),
    unreadCountByUserId: new DataLoader((ids) => participants.totalUnread(ids), { maxBatchSize }),
  };
}
