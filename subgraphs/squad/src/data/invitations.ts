import { isPrismaError, isUuid } from '@fitnexa/shared/db';
import type { SquadPrisma, SquadTx } from '../db';

export interface InvitationRecord {
  id: string;
  squadId: string;
  /** The invitee. */
  userId: string;
  invitedById: string;
  invitedAt: Date;
}

const fields = {
  id: true,
  squadId: true,
  userId: true,
  invitedById: true,
  invitedAt: true,
} as const;

/** How many open invitations a user's list shows at most. */
const MAX_LISTED = 100;

export class InvitationRepository {
  constructor(private readonly prisma: SquadPrisma) {}

  async findById(id: string): Promise<InvitationRecord | null> {
    return isUuid(id)
      ? this.prisma.squadInvitation.findUnique({ where: { id }, select: fields })
      : null;
  }

  /** Invites; null when the user is invited to the squad already. */
  async create(data: Omit<InvitationRecord, 'id'>): Promise<InvitationRecord | null> {
    try {
      return await this.prisma.squadInvitation.create({ data, select: fields });
    } catch (error) {
      if (isPrismaError(error, 'P2002')) return null;
      throw error;
    }
  }

  /** The user's open invitations, newest first. */
  ofUser(userId: string): Promise<InvitationRecord[]> {
    return this.prisma.squadInvitation.findMany({
      where: { userId },
      orderBy: [{ invitedAt: 'desc' }, { id: 'desc' }],
      take: MAX_LISTED,
      select: fields,
    });
  }

  /**
   * Deletes the user's invitations, in `tx`; those they sent stay open, from `anonymousId`.
   */
  async eraseUser(tx: SquadTx, userId: string, anonymousId: string): Promise<void> {
    await tx.squadInvitation.deleteMany({ where: { userId } });
    await tx.squadInvitation.updateMany({
      where: { invitedById: userId },
      data: { invitedById: anonymousId },
    });
  }
}
