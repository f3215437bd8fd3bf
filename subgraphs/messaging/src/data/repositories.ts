import type { ConversationRepository } from './conversations';
import type { MessageRepository } from './messages';
import type { ParticipantRepository } from './participants';

/** The repositories of the service, as the domain and the loaders use them. */
export interface MessagingRepositories {
  conversations: ConversationRepository;
  participants: ParticipantRepository;
  messages: MessageRepository;
}
