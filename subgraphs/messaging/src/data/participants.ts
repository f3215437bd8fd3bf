import { groupBy, isUuid, rowsPerRequest } from '@fitnexa/shared/db';
import type { MessagingPrisma, MessagingTx } from '../db';

export interface ParticipantRecord {
  conversationId: string;
  userId: string;
  joinedAt: Date;
  /** The read mark: when the last message read was sent, and which it was; null before the first read. */
  lastReadAt: Date | null;
  lastReadMessageId: string | null;
}

/** One user in one conversation. */
export interface ParticipantKey {
  conversationId: string;
  userId: string;
}

/** A message's place in its conversation: by sentAt, then by id. */
export interface MessagePosition {
  sentAt: Date;
  id: string;
}

const fields = {
  conversationId: true,
  userId: true,
  joinedAt: true,
  lastReadAt: true,
  lastReadMessageId: true,
} as const;

const isValidKey = (key: ParticipantKey) => isUuid(key.conversationId) && isUuid(key.userId);

// What counts as unread, for the counts below: messages from others, not deleted, sent since the
// participant joined and after their read mark.
const unread = `
  message."senderId" <> participant."userId"
  AND message."deletedAt" IS NULL
  AND message."sentAt" >= participant."joinedAt"
  AND (participant."lastReadAt" IS NULL
       OR (message."sentAt", message."id") > (participant."lastReadAt", participant."lastReadMessageId"))`;

export class ParticipantRepository {
  constructor(private readonly prisma: MessagingPrisma) {}

  async find(key: ParticipantKey): Promise<ParticipantRecord | null> {
    if (!isValidKey(key)) return null;
    return this.prisma.participant.findUnique({
      where: { conversationId_userId: key },
      select: fields,
    });
  }

  /** Each conversation's participants in the order they joined; one query for any number. */
  async ofConversations(conversationIds: readonly string[]): Promise<ParticipantRecord[][]> {
    const valid = conversationIds.filter(isUuid);
    const rows = valid.length
      ? await this.prisma.participant.findMany({
          where: { conversationId: { in: valid } },
          orderBy: [{ joinedAt: 'asc' }, { userId: 'asc' }],
          select: fields,
        })
      : [];
    return groupBy(conversationIds, rows, (row) => row.conversationId);
  }

  /** Adds the user to the conversation, or leaves them as they are when they already joined. */
  async join(key: ParticipantKey, now: Date): Promise<ParticipantRecord> {
    await this.prisma.participant.createMany({
      data: [{ ...key, joinedAt: now }],
      skipDuplicates: true,
    });
    return this.prisma.participant.findUniqueOrThrow({
      where: { conversationId_userId: key },
      select: fields,
    });
  }

  /** Moves the read mark to `upTo`, only forward: a late or repeated mark never unreads messages. */
  async markRead(key: ParticipantKey, upTo: MessagePosition): Promise<ParticipantRecord> {
    await this.prisma.$executeRaw`
      UPDATE "Participant"
         SET "lastReadAt" = ${upTo.sentAt}, "lastReadMessageId" = ${upTo.id}::uuid
       WHERE "conversationId" = ${key.conversationId}::uuid AND "userId" = ${key.userId}::uuid
         AND ("lastReadAt" IS NULL
              OR ("lastReadAt", "lastReadMessageId") < (${upTo.sentAt}::timestamptz, ${upTo.id}::uuid))`;
    return this.prisma.participant.findUniqueOrThrow({
      where: { conversationId_userId: key },
      select: fields,
    });
  }

  /** Each participant's unread messages in their conversation; one query for any number. */
  async unreadCounts(keys: readonly ParticipantKey[]): Promise<number[]> {
    const counts = await rowsPerRequest<{ unread: number }>(
      this.prisma,
      {
        columns: { conversation_id: 'uuid', user_id: 'uuid' },
        select: `count(message."id")::int AS unread`,
        from: `JOIN "Participant" participant
                 ON participant."conversationId" = request.conversation_id
                AND participant."userId" = request.user_id
               JOIN "Message" message
                 ON message."conversationId" = participant."conversationId" AND ${unread}
              GROUP BY request.index`,
      },
      keys.map((key) => ({ conversation_id: key.conversationId, user_id: key.userId })),
    );
    return counts.map(([count]) => count?.unread ?? 0);
  }

  /** Each user's unread messages over all their conversations; one query for any number. */
  async totalUnread(userIds: readonly string[]): Promise<number[]> {
    const counts = await rowsPerRequest<{ unread: number }>(
      this.prisma,
      {
        columns: { user_id: 'uuid' },
        select: `count(message."id")::int AS unread`,
        from: `JOIN "Participant" participant ON participant."userId" = request.user_id
               JOIN "Message" message
                 ON message."conversationId" = participant."conversationId" AND ${unread}
              GROUP BY request.index`,
      },
      userIds.map((userId) => ({ user_id: userId })),
    );
    return counts.map(([count]) => count?.unread ?? 0);
  }

  /**
   * Makes the user a participant of the squad's conversation, when it has one (and they are not
   * one already), in `tx`; its id, or null without a conversation.
   */
  async joinSquadConversation(
    tx: MessagingTx,
    squadId: string,
    userId: string,
    now: Date,
  ): Promise<string | null> {
    const [conversation] = await tx.$queryRaw<{ id: string }[]>`
      SELECT "id" FROM "Conversation" WHERE "squadId" = ${squadId}::uuid`;
    if (!conversation) return null;
    await tx.participant.createMany({
      data: [{ conversationId: conversation.id, userId, joinedAt: now }],
      skipDuplicates: true,
    });
    return conversation.id;
  }

  /**
   * Records a squad membership event for the user, in `tx`, unless a later one was applied: false
   * when this one is older and must be ignored.
   */
  async isLatestMembershipEvent(
    tx: MessagingTx,
    squadId: string,
    userId: string,
    occurredAt: Date,
  ): Promise<boolean> {
    const applied = await tx.$executeRaw`
      INSERT INTO "SquadMembershipEvent" ("squadId", "userId", "occurredAt")
      VALUES (${squadId}::uuid, ${userId}::uuid, ${occurredAt})
      ON CONFLICT ("squadId", "userId") DO UPDATE SET "occurredAt" = EXCLUDED."occurredAt"
      WHERE "SquadMembershipEvent"."occurredAt" < EXCLUDED."occurredAt"`;
    return applied > 0;
  }

  /** Forgets the squad membership events applied for the user (they were deleted), in `tx`. */
  async forgetMembershipEvents(tx: MessagingTx, userId: string): Promise<void> {
    await tx.$executeRaw`DELETE FROM "SquadMembershipEvent" WHERE "userId" = ${userId}::uuid`;
  }

  /** Removes the user from the squad's conversation, in `tx`; its id when they were in it. */
  async leaveSquadConversation(
    tx: MessagingTx,
    squadId: string,
    userId: string,
  ): Promise<string | null> {
    const [removed] = await tx.$queryRaw<{ conversationId: string }[]>`
      DELETE FROM "Participant" participant
       USING "Conversation" conversation
       WHERE conversation."id" = participant."conversationId"
         AND conversation."squadId" = ${squadId}::uuid
         AND participant."userId" = ${userId}::uuid
      RETURNING participant."conversationId"`;
    return removed?.conversationId ?? null;
  }

  /** Removes the user from every conversation, in `tx`; the ids of those they were in. */
  async removeUser(tx: MessagingTx, userId: string): Promise<string[]> {
    const rows = await tx.$queryRaw<{ conversationId: string }[]>`
      DELETE FROM "Participant" WHERE "userId" = ${userId}::uuid RETURNING "conversationId"`;
    return rows.map((row) => row.conversationId);
  }
}
