import { isUuid } from '@fitnexa/shared/db';
import { ForbiddenError, NotFoundError, parseInput, UserInputError } from '@fitnexa/shared/errors';
import { judged, type EventHub, type RealtimeEvent } from '@fitnexa/shared/realtime';
import { z } from 'zod';
import type { ConversationRecord, ConversationRepository } from '../data/conversations';
import type { MessageRepository } from '../data/messages';
import type { ParticipantRepository } from '../data/participants';
import type { SquadMembership } from '../data/squad-membership';
import type { Caller } from './access';
import {
  conversationRoom,
  CONVERSATION_READ,
  PARTICIPANT_REMOVED,
  TYPING,
  type ParticipantRemovedPayload,
  type ReadPayload,
  type TypingPayload,
} from './realtime';
import { uuid } from './validation';

export interface ConversationsDeps {
  conversations: ConversationRepository;
  participants: ParticipantRepository;
  messages: MessageRepository;
  squadMembership: SquadMembership;
  hub: EventHub;
  now?: () => Date;
}

const directInput = z.object({ userId: uuid });

/**
 * Conversations and who is in them. The one rule: only participants read or write a conversation;
 * a squad's members become participants of its conversation when they join the squad (the
 * squad.member.joined event) or the first time they reach it, and stop being ones when they leave.
 */
export class Conversations {
  private readonly now: () => Date;

  constructor(private readonly deps: ConversationsDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  /** The conversation, when the caller is (or, as a squad member, becomes) a participant. */
  async open(caller: Caller, conversationId: string): Promise<ConversationRecord> {
    const conversation = await this.find(caller, conversationId);
    if (!conversation) throw new NotFoundError('Conversation');
    return conversation;
  }

  /** As `open`, but null for an unknown conversation. */
  async find(caller: Caller, conversationId: string): Promise<ConversationRecord | null> {
    const [conversation] = await this.deps.conversations.findByIds([conversationId]);
    if (!conversation) return null;
    const key = { conversationId: conversation.id, userId: caller.principal.userId };
    if (await this.deps.participants.find(key)) return conversation;
    if (conversation.squadId && (await this.isSquadMember(caller, conversation.squadId))) {
      await this.deps.participants.join(key, this.now());
      return conversation;
    }
    throw new ForbiddenError('Only participants of this conversation can do this');
  }

  /** The caller's DIRECT conversation with another user: the existing one, or a new one. */
  async startDirect(caller: Caller, userId: string): Promise<ConversationRecord> {
    const input = parseInput(directInput, { userId });
    if (input.userId === caller.principal.userId) {
      throw new UserInputError('Invalid input: userId: must be another user', [
        { field: 'userId', message: 'must be another user' },
      ]);
    }
    return this.deps.conversations.directBetween(
      [caller.principal.userId, input.userId],
      this.now(),
    );
  }

  /** The squad's conversation, for its members only; the caller becomes a participant. */
  async ofSquad(caller: Caller, squadId: string): Promise<ConversationRecord> {
    if (!isUuid(squadId) || !(await this.isSquadMember(caller, squadId))) {
      throw new ForbiddenError("Only the squad's members can open its conversation");
    }
    const now = this.now();
    const conversation = await this.deps.conversations.ofSquad(squadId, now);
    await this.deps.participants.join(
      { conversationId: conversation.id, userId: caller.principal.userId },
      now,
    );
    return conversation;
  }

  /**
   * Moves the caller's read mark to the message (NOT_FOUND unless it is of this conversation), or
   * to the newest message; never back. Participants' clients hear of it. `read` is the caller's
   * mark after the change; null while the conversation has no message.
   */
  async markRead(
    caller: Caller,
    conversationId: string,
    upToMessageId?: string | null,
  ): Promise<{ conversation: ConversationRecord; read: ReadPayload | null }> {
    const conversation = await this.open(caller, conversationId);
    const [upTo] = upToMessageId
      ? await this.deps.messages.findByIds([upToMessageId])
      : await this.deps.messages.latest([conversation.id]);
    if (upToMessageId && upTo?.conversationId !== conversation.id) {
      throw new NotFoundError('Message');
    }
    if (!upTo) return { conversation, read: null };
    const key = { conversationId: conversation.id, userId: caller.principal.userId };
    const participant = await this.deps.participants.markRead(key, upTo);
    // The mark stays where it was when it already was past `upTo`.
    const read: ReadPayload = {
      ...key,
      lastReadAt: (participant.lastReadAt ?? upTo.sentAt).toISOString(),
      lastReadMessageId: participant.lastReadMessageId ?? upTo.id,
    };
    await this.deps.hub.publish(conversationRoom(conversation.id), CONVERSATION_READ, read);
    return { conversation, read };
  }

  /** Tells the conversation's participants that the caller is typing; nothing is stored. */
  async typing(caller: Caller, conversationId: string): Promise<TypingPayload> {
    const conversation = await this.open(caller, conversationId);
    const event: TypingPayload = {
      conversationId: conversation.id,
      userId: caller.principal.userId,
      at: this.now().toISOString(),
    };
    await this.deps.hub.publish(conversationRoom(conversation.id), TYPING, event);
    return event;
  }

  /**
   * The conversation's events of the given names from now on, for a participant only, and for as
   * long as they are one: the stream ends when they are removed (PARTICIPANT_REMOVED).
   */
  async events<T>(
    caller: Caller,
    conversationId: string,
    names: readonly string[],
  ): Promise<AsyncIterableIterator<RealtimeEvent<T>>> {
    const conversation = await this.open(caller, conversationId);
    const source = this.deps.hub.events<T | ParticipantRemovedPayload>(
      conversationRoom(conversation.id),
      [...names, PARTICIPANT_REMOVED],
    );
    // Ends when the caller is removed; other removals pass only when asked for.
    return judged(source, (event) => {
      if (event.name !== PARTICIPANT_REMOVED) return 'pass';
      if ((event.payload as ParticipantRemovedPayload).userId === caller.principal.userId) {
        return 'end';
      }
      return names.includes(PARTICIPANT_REMOVED) ? 'pass' : 'skip';
    }) as AsyncIterableIterator<RealtimeEvent<T>>;
  }

  private isSquadMember(caller: Caller, squadId: string): Promise<boolean> {
    return this.deps.squadMembership.isMember(squadId, caller.principal.userId, caller.accessToken);
  }
}
