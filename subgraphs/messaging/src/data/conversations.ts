import { indexBy, isPrismaError, isUuid, keysetPages } from '@fitnexa/shared/db';
import type { MessagingPrisma, MessagingTx } from '../db';
import type { ConversationKind } from '../generated/prisma/enums';

export interface ConversationRecord {
  id: string;
  kind: ConversationKind;
  /** SQUAD conversations only. */
  squadId: string | null;
  createdAt: Date;
  lastActivityAt: Date;
}

/**
 * A conversation as one of its participants reads it: `unreadCount` and the like report the
 * read state of `readerId` (the viewer, or the user whose conversations are listed).
 */
export interface ConversationView extends ConversationRecord {
  readerId: string;
}

/** Where a page of a user's conversations (most recent activity first) starts: after this one. */
export interface ConversationPosition {
  lastActivityAt: Date;
  id: string;
}

export interface ConversationPageRequest {
  userId: string;
  /** Rows to read: one more than the page size tells whether more follow. */
  take: number;
  after: ConversationPosition | null;
}

const fields = {
  id: true,
  kind: true,
  squadId: true,
  createdAt: true,
  lastActivityAt: true,
} as const;

/** The key of a pair's DIRECT conversation: the same whoever starts it. */
const directKeyOf = (userIds: readonly [string, string]) => [...userIds].sort().join(':');

export class ConversationRepository {
  constructor(private readonly prisma: MessagingPrisma) {}

  async findByIds(ids: readonly string[]): Promise<(ConversationRecord | null)[]> {
    const valid = ids.filter(isUuid);
    const rows = valid.length
      ? await this.prisma.conversation.findMany({ where: { id: { in: valid } }, select: fields })
      : [];
    return indexBy(ids, rows, (row) => row.id);
  }

  async hasAny(): Promise<boolean> {
    return (await this.prisma.conversation.findFirst({ select: { id: true } })) !== null;
  }

  /**
   * The pair's DIRECT conversation, created with both as participants when there is none. Two
   * concurrent starts end with the same one: the unique key lets only one insert win.
   */
  async directBetween(userIds: readonly [string, string], now: Date): Promise<ConversationRecord> {
    const directKey = directKeyOf(userIds);
    const existing = await this.prisma.conversation.findUnique({
      where: { directKey },
      select: fields,
    });
    if (existing) return existing;
    return this.createOrFind({ directKey }, () =>
      this.prisma.conversation.create({
        data: {
          kind: 'DIRECT',
          directKey,
          createdAt: now,
          lastActivityAt: now,
          participants: { create: userIds.map((userId) => ({ userId, joinedAt: now })) },
        },
        select: fields,
      }),
    );
  }

  /** The squad's conversation, created (without participants) when there is none. */
  async ofSquad(squadId: string, now: Date): Promise<ConversationRecord> {
    const existing = await this.prisma.conversation.findUnique({
      where: { squadId },
      select: fields,
    });
    if (existing) return existing;
    return this.createOrFind({ squadId }, () =>
      this.prisma.conversation.create({
        data: { kind: 'SQUAD', squadId, createdAt: now, lastActivityAt: now },
        select: fields,
      }),
    );
  }

  /**
   * One page per request, each of its user's conversations by most recent activity: one query for
   * any number of users (a lateral join per user over their participations).
   */
  pages(requests: readonly ConversationPageRequest[]): Promise<ConversationRecord[][]> {
    return keysetPages<ConversationRecord>(
      this.prisma,
      {
        table: 'Conversation',
        owner: {
          join: `JOIN "Participant" participant ON participant."conversationId" = candidate."id"`,
          column: `participant."userId"`,
        },
        time: 'lastActivityAt',
        id: 'id',
        direction: 'DESC',
        select: `item."id", item."kind"::text AS "kind", item."squadId", item."createdAt",
                 item."lastActivityAt"`,
      },
      requests.map((request) => ({
        owner: request.userId,
        take: request.take,
        after: request.after && { at: request.after.lastActivityAt, id: request.after.id },
      })),
    );
  }

  private async createOrFind(
    unique: { directKey: string } | { squadId: string },
    create: () => Promise<ConversationRecord>,
  ): Promise<ConversationRecord> {
    try {
      return await create();
    } catch (error) {
      // Another request created it in the meantime.
      if (!isPrismaError(error, 'P2002')) throw error;
      return this.prisma.conversation.findUniqueOrThrow({ where: unique, select: fields });
    }
  }

  /**
   * Before the user's participations go, in `tx`: their DIRECT conversations lose the key that
   * names them (the other side keeps the conversation; a new one with the id would be new).
   */
  async forgetDirectKeysOf(tx: MessagingTx, userId: string): Promise<void> {
    await tx.$executeRaw`
      UPDATE "Conversation" conversation SET "directKey" = NULL
        FROM "Participant" participant
       WHERE participant."conversationId" = conversation."id"
         AND participant."userId" = ${userId}::uuid
         AND conversation."kind" = 'DIRECT'`;
  }

  /** Deletes those of the DIRECT conversations nobody is in any more (with their messages), in `tx`. */
  async deleteAbandonedDirect(tx: MessagingTx, ids: readonly string[]): Promise<void> {
    if (!ids.length) return;
    await tx.$executeRaw`
      DELETE FROM "Conversation" conversation
       WHERE conversation."id" = ANY(${ids}::uuid[]) AND conversation."kind" = 'DIRECT'
         AND NOT EXISTS (SELECT 1 FROM "Participant" participant
                          WHERE participant."conversationId" = conversation."id")`;
  }
}
