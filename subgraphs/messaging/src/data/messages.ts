import { indexBy, isPrismaError, isUuid } from '@fitnexa/shared/db';
import type { MessagingPrisma, MessagingTx } from '../db';
import type { MessagePosition } from './participants';

export interface MessageRecord {
  id: string;
  conversationId: string;
  senderId: string;
  /** Null once deleted. */
  body: string | null;
  sentAt: Date;
  editedAt: Date | null;
  deletedAt: Date | null;
  /** 1, 2, 3 … within the conversation, in the order the messages were committed. */
  sequence: number;
}

const fields = {
  id: true,
  conversationId: true,
  senderId: true,
  body: true,
  sentAt: true,
  editedAt: true,
  deletedAt: true,
  sequence: true,
} as const;

export class MessageRepository {
  constructor(private readonly prisma: MessagingPrisma) {}

  async findByIds(ids: readonly string[]): Promise<(MessageRecord | null)[]> {
    const valid = ids.filter(isUuid);
    const rows = valid.length
      ? await this.prisma.message.findMany({ where: { id: { in: valid } }, select: fields })
      : [];
    return indexBy(ids, rows, (row) => row.id);
  }

  /**
   * Stores the message with the conversation's next sequence and moves its last activity to it,
   * in one transaction. Raising `lastSequence` locks the conversation's row until the commit, so a
   * conversation's messages commit in sequence order: once a message is stored, every one before
   * it in sequence is too (what lets a subscription fill a gap from the database).
   */
  send(data: {
    conversationId: string;
    senderId: string;
    body: string;
    sentAt: Date;
  }): Promise<MessageRecord> {
    return this.prisma.$transaction(async (tx) => {
      const { lastSequence: sequence } = await tx.conversation.update({
        where: { id: data.conversationId },
        data: { lastSequence: { increment: 1 } },
        select: { lastSequence: true },
      });
      const message = await tx.message.create({ data: { ...data, sequence }, select: fields });
      // Only forward: of two concurrent messages the later one's time stays.
      await tx.conversation.updateMany({
        where: { id: data.conversationId, lastActivityAt: { lt: data.sentAt } },
        data: { lastActivityAt: data.sentAt },
      });
      return message;
    });
  }

  /** The sequence of the conversation's newest message; 0 before the first. */
  async lastSequence(conversationId: string): Promise<number> {
    const conversation = await this.prisma.conversation.findUnique({
      where: { id: conversationId },
      select: { lastSequence: true },
    });
    return conversation?.lastSequence ?? 0;
  }

  /** The conversation's messages with a sequence in (after, upTo], at most `take`, in sequence. */
  inSequence(
    conversationId: string,
    after: number,
    take: number,
    upTo?: number,
  ): Promise<MessageRecord[]> {
    return this.prisma.message.findMany({
      where: {
        conversationId,
        sequence: { gt: after, ...(upTo === undefined ? {} : { lte: upTo }) },
      },
      orderBy: { sequence: 'asc' },
      take,
      select: fields,
    });
  }

  /** Replaces the body while the message is the sender's and not deleted; null otherwise. */
  async edit(id: string, senderId: string, body: string, at: Date): Promise<MessageRecord | null> {
    try {
      return await this.prisma.message.update({
        where: { id, senderId, deletedAt: null },
        data: { body, editedAt: at },
        select: fields,
      });
    } catch (error) {
      if (isPrismaError(error, 'P2025')) return null;
      throw error;
    }
  }

  /** Deletes the body while the message is the sender's and not deleted yet; null otherwise. */
  async delete(id: string, senderId: string, at: Date): Promise<MessageRecord | null> {
    try {
      return await this.prisma.message.update({
        where: { id, senderId, deletedAt: null },
        data: { body: null, deletedAt: at },
        select: fields,
      });
    } catch (error) {
      if (isPrismaError(error, 'P2025')) return null;
      throw error;
    }
  }

  /** The conversation's newest `take` messages before `before` (all when null), newest first. */
  pageBefore(
    conversationId: string,
    take: number,
    before: MessagePosition | null,
  ): Promise<MessageRecord[]> {
    return this.prisma.message.findMany({
      where: {
        conversationId,
        ...(before
          ? {
              OR: [
                { sentAt: { lt: before.sentAt } },
                { sentAt: before.sentAt, id: { lt: before.id } },
              ],
            }
          : {}),
      },
      orderBy: [{ sentAt: 'desc' }, { id: 'desc' }],
      take,
      select: fields,
    });
  }

  /** Each conversation's newest message, deleted or not; one query for any number. */
  async latest(conversationIds: readonly string[]): Promise<(MessageRecord | null)[]> {
    const valid = conversationIds.filter(isUuid);
    if (!valid.length) return conversationIds.map(() => null);
    // One index walk per conversation, from its newest message.
    const rows = await this.prisma.$queryRaw<MessageRecord[]>`
      SELECT message.*
        FROM json_array_elements_text(${JSON.stringify(valid)}::json) AS wanted(conversation_id)
        CROSS JOIN LATERAL (
          SELECT "id", "conversationId", "senderId", "body", "sentAt", "editedAt", "deletedAt",
                 "sequence"
            FROM "Message"
           WHERE "conversationId" = wanted.conversation_id::uuid
           ORDER BY "sentAt" DESC, "id" DESC
           LIMIT 1
        ) message`;
    return indexBy(conversationIds, rows, (row) => row.conversationId);
  }

  /**
   * Erases the user's messages as deleting them does (no body, `deletedAt` set unless it was),
   * and makes `anonymousId` their sender, in `tx`; the messages changed.
   */
  anonymizeSender(
    tx: MessagingTx,
    userId: string,
    anonymousId: string,
    at: Date,
  ): Promise<MessageRecord[]> {
    return tx.$queryRaw<MessageRecord[]>`
      UPDATE "Message"
         SET "body" = NULL, "deletedAt" = COALESCE("deletedAt", ${at}),
             "senderId" = ${anonymousId}::uuid
       WHERE "senderId" = ${userId}::uuid
      RETURNING "id", "conversationId", "senderId", "body", "sentAt", "editedAt", "deletedAt",
                "sequence"`;
  }
}
