import { parseInput } from '@fitnexa/shared/errors';
import type { Logger } from '@fitnexa/shared/logger';
import {
  onSocketEvent,
  principalOfSocket,
  type Socket,
  type SocketServer,
} from '@fitnexa/shared/realtime';
import { z } from 'zod';
import type { Caller } from './domain/access';
import { conversationRoom, messagePayload } from './domain/realtime';
import type { UseCases } from './domain/use-cases';

const conversationInput = z.object({ conversationId: z.string().max(100) });
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

/**
 * The `/chat` namespace: the same use cases as GraphQL, acknowledged as `{ data }` or
 * `{ error: { code, message } }`. A socket hears a conversation's events (`message:new`,
 * `message:edited`, `message:deleted`, `conversation:read`, `typing`) once it has joined it, which
 * participants only may.
 */
export function registerChat(io: SocketServer, useCases: UseCases, logger: Logger): void {
  const { conversations, messages } = useCases;
  io.of('/chat').on('connection', (socket) => {
    const on = <T>(event: string, handler: (payload: unknown) => Promise<T>) =>
      onSocketEvent(socket, event, handler, logger);

    on('conversation:join', async (payload) => {
      const { conversationId } = parseInput(conversationInput, payload);
      const conversation = await conversations.open(callerOfSocket(socket), conversationId);
      await socket.join(conversationRoom(conversation.id));
      return { conversationId: conversation.id };
    });

    on('conversation:leave', async (payload) => {
      const { conversationId } = parseInput(conversationInput, payload);
      await socket.leave(conversationRoom(conversationId));
      return { conversationId };
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
