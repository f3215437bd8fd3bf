import { isUuid } from '@fitnexa/shared/db';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  parseInput,
  UserInputError,
} from '@fitnexa/shared/errors';
import { encodeCursor } from '@fitnexa/shared/graphql';
import type { EventHub, RealtimeEvent } from '@fitnexa/shared/realtime';
import { z } from 'zod';
import type { MessageRecord, MessageRepository } from '../data/messages';
import type { Caller } from './access';
import type { Conversations } from './conversations';
import {
  conversationRoom,
  MESSAGE_DELETED,
  MESSAGE_EDITED,
  MESSAGE_NEW,
  messagePayload,
} from './realtime';
import { inSequence, MAX_REPLAYED_MESSAGES } from './message-stream';
import { backwardPageRequest, messageBody, messageCursor } from './validation';

export interface MessagesDeps {
  messages: MessageRepository;
  conversations: Conversations;
  hub: EventHub;
  now?: () => Date;
}

const bodyInput = z.object({ body: messageBody });

/**
 * Writing and reading messages. Every change is published once, to the conversation's room:
 * GraphQL subscribers and socket.io clients on every instance see the same stream.
 */
export class Messages {
  private readonly now: () => Date;

  constructor(private readonly deps: MessagesDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  /** Sends a message to a conversation the caller is in (the mutation and socket.io alike). */
  async send(caller: Caller, conversationId: string, body: string): Promise<MessageRecord> {
    const input = parseInput(bodyInput, { body });
    const conversation = await this.deps.conversations.open(caller, conversationId);
    const message = await this.deps.messages.send({
      conversationId: conversation.id,
      senderId: caller.principal.userId,
      body: input.body,
      sentAt: this.now(),
    });
    await this.publish(MESSAGE_NEW, message);
    return message;
  }

  /** Replaces the body of the caller's own message; CONFLICT once it is deleted. */
  async edit(caller: Caller, id: string, body: string): Promise<MessageRecord> {
    const input = parseInput(bodyInput, { body });
    const message = await this.ownMessage(caller, id);
    const edited = message.deletedAt
      ? null
      : await this.deps.messages.edit(message.id, message.senderId, input.body, this.now());
    if (!edited) throw new ConflictError('A deleted message cannot be edited');
    await this.publish(MESSAGE_EDITED, edited);
    return edited;
  }

  /** Deletes the caller's own message: it keeps its place without a body. Deleting again changes nothing. */
  async delete(caller: Caller, id: string): Promise<MessageRecord> {
    const message = await this.ownMessage(caller, id);
    if (message.deletedAt) return message;
    const deleted = await this.deps.messages.delete(message.id, message.senderId, this.now());
    // Null when a concurrent delete came first; that one published.
    if (!deleted) return this.ownMessage(caller, id);
    await this.publish(MESSAGE_DELETED, deleted);
    return deleted;
  }

  /**
   * The messages sent to a conversation, for its participants, as `message:new` events (see
   * `events`).
   */
  added(
    caller: Caller,
    conversationId: string,
    after?: string | null,
  ): Promise<AsyncIterableIterator<RealtimeEvent<unknown>>> {
    return this.events(caller, conversationId, { after, cursorField: 'after', names: [] });
  }

  /**
   * A conversation's `message:new` events and the others named, for its participants (as
   * `Conversations.events`): with `after` (a message of the conversation), the stored messages
   * after it first, then the new ones; without, those stored since the call. Messages in
   * sequence, each once (see `inSequence`). The live stream is subscribed before the stored
   * messages after the position are read, so none committed in between is missed, and none is
   * delivered twice. A bad cursor is BAD_USER_INPUT on `cursorField`.
   */
  async events(
    caller: Caller,
    conversationId: string,
    options: { after?: string | null; cursorField: string; names: readonly string[] },
  ): Promise<AsyncIterableIterator<RealtimeEvent<unknown>>> {
    const { after, cursorField, names } = options;
    const id = conversationId.toLowerCase();
    const now =
      after === undefined || after === null
        ? isUuid(id)
          ? await this.deps.messages.lastSequence(id)
          : 0
        : undefined;
    const live = await this.deps.conversations.events<unknown>(caller, id, [MESSAGE_NEW, ...names]);
    const tooMany = () => tooManyAfter(cursorField);
    try {
      const position = now ?? (await this.sequenceOf(id, after!, cursorField));
      const replay = await this.deps.messages.inSequence(id, position, MAX_REPLAYED_MESSAGES + 1);
      if (replay.length > MAX_REPLAYED_MESSAGES) throw tooMany();
      return inSequence(live, conversationRoom(id), position, replay, this.reader(id), tooMany);
    } catch (error) {
      await live.return?.();
      throw error;
    }
  }

  /**
   * A page of a conversation's messages read backwards: the newest `last` before the cursor,
   * oldest first within the page.
   */
  async page(
    caller: Caller,
    conversationId: string,
    args: { last?: number | null; before?: string | null },
  ) {
    const { last, before } = backwardPageRequest(args);
    const conversation = await this.deps.conversations.open(caller, conversationId);
    const newestFirst = await this.deps.messages.pageBefore(conversation.id, last + 1, before);
    const edges = newestFirst
      .slice(0, last)
      .reverse()
      .map((node) => ({ cursor: encodeCursor(messageCursor(node)), node }));
    return {
      edges,
      pageInfo: {
        hasPreviousPage: newestFirst.length > last,
        startCursor: edges[0]?.cursor ?? null,
      },
    };
  }

  /** The message, when the caller sent it: NOT_FOUND or FORBIDDEN otherwise. */
  private async ownMessage(caller: Caller, id: string): Promise<MessageRecord> {
    const [message] = await this.deps.messages.findByIds([id]);
    if (!message) throw new NotFoundError('Message');
    if (message.senderId !== caller.principal.userId) {
      throw new ForbiddenError('Only the sender can change a message');
    }
    return message;
  }

  /** The sequence of the message `after`: BAD_USER_INPUT on `field` unless it is of the conversation. */
  private async sequenceOf(conversationId: string, after: string, field: string): Promise<number> {
    const [from] = await this.deps.messages.findByIds([after]);
    if (from?.conversationId !== conversationId) {
      throw new UserInputError(`Invalid input: ${field}: not a message of this conversation`, [
        { field, message: 'not a message of this conversation' },
      ]);
    }
    return from.sequence;
  }

  private reader(conversationId: string) {
    return (after: number, upTo: number) =>
      this.deps.messages.inSequence(conversationId, after, upTo - after, upTo);
  }

  private publish(name: string, message: MessageRecord): Promise<void> {
    return this.deps.hub.publish(
      conversationRoom(message.conversationId),
      name,
      messagePayload(message),
    );
  }
}

const tooManyAfter = (field: string) =>
  new UserInputError(
    `Invalid input: ${field}: more than ${MAX_REPLAYED_MESSAGES} messages follow it; read them with \`messages\`, then subscribe after the newest`,
    [{ field, message: `more than ${MAX_REPLAYED_MESSAGES} messages follow it` }],
  );
