import type { MessageRecord } from '../data/messages';

// The real-time events of a conversation. They go through the hub as JSON (across instances via
// Redis), so payloads carry times as ISO strings; GraphQL subscribers and socket.io clients
// (`/chat`, a stream per joined socket: sockets.ts) receive the same events.

/** The hub room of a conversation's events. */
export const conversationRoom = (conversationId: string) => `conversation:${conversationId}`;

export const MESSAGE_NEW = 'message:new';
export const MESSAGE_EDITED = 'message:edited';
export const MESSAGE_DELETED = 'message:deleted';
export const CONVERSATION_READ = 'conversation:read';
export const TYPING = 'typing';
/** A user is no longer a participant (they left the squad, or were deleted): their streams end. */
export const PARTICIPANT_REMOVED = 'participant:removed';

export interface MessagePayload {
  id: string;
  conversationId: string;
  senderId: string;
  body: string | null;
  sentAt: string;
  editedAt: string | null;
  deletedAt: string | null;
  /** Its place in the conversation (1, 2, 3 …): subscribers put events in order by it. */
  sequence: number;
}

/** A participant is typing (not stored). */
export interface TypingPayload {
  conversationId: string;
  userId: string;
  at: string;
}

/** Who is no longer a participant of the conversation. */
export interface ParticipantRemovedPayload {
  conversationId: string;
  userId: string;
}

/** A participant's read mark moved. */
export interface ReadPayload {
  conversationId: string;
  userId: string;
  lastReadAt: string;
  lastReadMessageId: string;
}

export function messagePayload(message: MessageRecord): MessagePayload {
  return {
    ...message,
    sentAt: message.sentAt.toISOString(),
    editedAt: message.editedAt?.toISOString() ?? null,
    deletedAt: message.deletedAt?.toISOString() ?? null,
  };
}

export function messageOfPayload(payload: MessagePayload): MessageRecord {
  return {
    ...payload,
    sentAt: new Date(payload.sentAt),
    editedAt: payload.editedAt ? new Date(payload.editedAt) : null,
    deletedAt: payload.deletedAt ? new Date(payload.deletedAt) : null,
  };
}
