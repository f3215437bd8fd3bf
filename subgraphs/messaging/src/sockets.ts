import { ErrorCode, errorStack, FitnexaError, parseInput } from '@fitnexa/shared/errors';
import type { Logger } from '@fitnexa/shared/logger';
import {
  onSocketEvent,
  principalOfSocket,
  type RealtimeEvent,
  type Socket,
  type SocketServer,
} from '@fitnexa/shared/realtime';
import { z } from 'zod';
import type { Caller } from './domain/access';
import {
  CONVERSATION_READ,
  MESSAGE_DELETED,
  MESSAGE_EDITED,
  messagePayload,
  PARTICIPANT_REMOVED,
  TYPING,
  type ParticipantRemovedPayload,
} from './domain/realtime';
import type { UseCases } from './domain/use-cases';

const conversationInput = z.object({ conversationId: z.string().max(100) });
const joinInput = conversationInput.extend({ afterMessageId: z.string().max(100).nullish() });
const sendInput = conversationInput.extend({ body: z.string() });
const readInput = conversationInput.extend({ upToMessageId: z.string().max(100).nullish() });

/** The socket's user, and the handshake token the shared middleware verified. */
function callerOfSocket(socket: Socket): Caller {
  const token: unknown = socket.handshake.auth?.token;
  return {
    principal: principalOfSocket(socket),
    accessToken: typeof token === 'string' ? token : null,
  };
}

/** What a joined socket hears of its conversation besides `message:new`. */
const HEARD = [MESSAGE_EDITED, MESSAGE_DELETED, CONVERSATION_READ, TYPING, PARTICIPANT_REMOVED];

/** Told to a socket whose conversation's events stopped for another reason than its removal. */
export const CONVERSATION_INTERRUPTED = 'conversation:interrupted';

/**
 * The conversations one socket has joined, each a stream of its own (`Messages.events`) rather
 * than the socket.io room of the hub's bridge: `message:new` arrives in sequence, once, with gaps
 * filled from the database, as GraphQL's `messageAdded` does (decision 0028). Joins and leaves of
 * the socket run one after another, so a stream is only ever replaced by one that started later.
 */
class JoinedConversations {
  private readonly streams = new Map<string, AsyncIterableIterator<RealtimeEvent<unknown>>>();
  private turn: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly socket: Socket,
    private readonly useCases: UseCases,
    private readonly logger: Logger,
  ) {}

  /**
   * Joins (participants only). Without `afterMessageId`, a conversation already joined goes on as
   * it was; with it, the socket's stream restarts after that message: the stored ones first.
   */
  join(conversationId: string, afterMessageId: string | null | undefined) {
    return this.serially(async () => {
      const caller = callerOfSocket(this.socket);
      const { id } = await this.useCases.conversations.open(caller, conversationId);
      if (this.closed || (!afterMessageId && this.streams.has(id))) return { conversationId: id };
      const stream = await this.useCases.messages.events(caller, id, {
        after: afterMessageId,
        cursorField: 'afterMessageId',
        names: HEARD,
      });
      const previous = this.streams.get(id);
      this.streams.set(id, stream);
      await previous?.return?.();
      // Once the acknowledgement is out: it comes before the replayed messages.
      setImmediate(() => void this.deliver(id, stream));
      return { conversationId: id };
    });
  }

  leave(conversationId: string) {
    return this.serially(async () => {
      const id = conversationId.toLowerCase();
      const stream = this.streams.get(id);
      this.streams.delete(id);
      await stream?.return?.();
      return { conversationId };
    });
  }

  close() {
    return this.serially(async () => {
      this.closed = true;
      const streams = [...this.streams.values()];
      this.streams.clear();
      await Promise.all(streams.map((stream) => stream.return?.()));
    });
  }

  private async deliver(id: string, stream: AsyncIterableIterator<RealtimeEvent<unknown>>) {
    try {
      for await (const event of stream) this.socket.emit(event.name, event.payload);
      // Ended by itself, not by a leave: the user is no longer a participant.
      if (this.streams.get(id) !== stream) return;
      this.streams.delete(id);
      const removed: ParticipantRemovedPayload = {
        conversationId: id,
        userId: principalOfSocket(this.socket).userId,
      };
      this.socket.emit(PARTICIPANT_REMOVED, removed);
    } catch (error) {
      if (this.streams.get(id) === stream) this.streams.delete(id);
      const known = error instanceof FitnexaError;
      if (!known) this.logger.error('conversation stream failed', { error: errorStack(error) });
      this.socket.emit(CONVERSATION_INTERRUPTED, {
        conversationId: id,
        error: known
          ? { code: error.code, message: error.message }
          : { code: ErrorCode.INTERNAL_SERVER_ERROR, message: 'Internal server error' },
      });
    }
  }

  private serially<T>(work: () => Promise<T>): Promise<T> {
    const run = this.turn.then(work);
    this.turn = run.catch(() => undefined);
    return run;
  }
}

/**
 * The `/chat` namespace: the same use cases as GraphQL, acknowledged as `{ data }` or
 * `{ error: { code, message } }`. A socket hears a conversation's events (`message:new`,
 * `message:edited`, `message:deleted`, `conversation:read`, `typing`, `participant:removed`) once
 * it has joined it, which participants only may; `message:new` in sequence, each once, resumed
 * after `afterMessageId` when the join gives one (see JoinedConversations).
 */
export function registerChat(io: SocketServer, useCases: UseCases, logger: Logger): void {
  const { conversations, messages } = useCases;
  io.of('/chat').on('connection', (socket) => {
    const on = <T>(event: string, handler: (payload: unknown) => Promise<T>) =>
      onSocketEvent(socket, event, handler, logger);
    const joined = new JoinedConversations(socket, useCases, logger);
    socket.once('disconnect', () => void joined.close());

    on('conversation:join', async (payload) => {
      const { conversationId, afterMessageId } = parseInput(joinInput, payload);
      return joined.join(conversationId, afterMessageId);
    });

    on('conversation:leave', async (payload) => {
      const { conversationId } = parseInput(conversationInput, payload);
      return joined.leave(conversationId);
    });

    on('message:send', async (payload) => {
      const { conversationId, body } = parseInput(sendInput, payload);
      return messagePayload(await messages.send(callerOfSocket(socket), conversationId, body));
    });

    on('typing', async (payload) => {
      const { conversationId } = parseInput(conversationInput, payload);
      return conversations.typing(callerOfSocket(socket), conversationId);
    });

    on('message:read', async (payload) => {
      const { conversationId, upToMessageId } = parseInput(readInput, payload);
      const { read } = await conversations.markRead(
        callerOfSocket(socket),
        conversationId,
        upToMessageId,
      );
      return read;
    });
  });
}
