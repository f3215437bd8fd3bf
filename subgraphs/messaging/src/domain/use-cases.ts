import type { EventHub } from '@fitnexa/shared/realtime';
import type { MessagingRepositories } from '../data/repositories';
import type { SquadMembership } from '../data/squad-membership';
import { Conversations } from './conversations';
import { Messages } from './messages';

export interface UseCases {
  conversations: Conversations;
  messages: Messages;
}

/** The use cases over conversations, on one clock (the seed sets it back to make history). */
export function createUseCases(deps: {
  repositories: MessagingRepositories;
  squadMembership: SquadMembership;
  hub: EventHub;
  now?: () => Date;
}): UseCases {
  const { repositories, squadMembership, hub, now } = deps;
  const conversations = new Conversations({ ...repositories, squadMembership, hub, now });
  return {
    conversations,
    messages: new Messages({ messages: repositories.messages, conversations, hub, now }),
  };
}
