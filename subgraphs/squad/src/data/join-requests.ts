import { isPrismaError, isUuid } from '@fitnexa/shared/db';
import type { SquadPrisma, SquadTx } from '../db';
import { squadPages, type SquadPageRequest } from './pages';

export interface JoinRequestRecord {
  id: string;
  squadId: string;
  userId: string;
  requestedAt: Date;
}

const fields = { id: true, squadId: true, userId: true, requestedAt: true } as const;

export class JoinRequestRepository {
  constructor(private readonly prisma: SquadPrisma) {}

  async findById(id: string): Promise<JoinRequestRecord | null> {
    return isUuid(id)
      ? this.prisma.joinRequest.findUnique({ where: { id }, select: fields })
      : null;
  }

  /** Opens a request; null when the user has an open one for the squad already. */
  async create(data: Omit<JoinRequestRecord, 'id'>): Promise<JoinRequestRecord | null> {
    try {
      return await this.prisma.joinRequest.create({ data, select: fields });
    } catch (error) {
      if (isPrismaError(error, 'P2002')) return null;
      throw error;
    }
  }

  /** Whether the request was still open (and now is not). */
  async delete(id: string): Promise<boolean> {
    return (await this.prisma.joinRequest.deleteMany({ where: { id } })).count > 0;
  }

  /** One page per request of its squad's open join requests, oldest first; one query. */
  pages(requests: readonly SquadPageRequest[]): Promise<JoinRequestRecord[][]> {
    return squadPages<JoinRequestRecord>(
      this.prisma,
      {
        table: 'JoinRequest',
        time: 'requestedAt',
        id: 'id',
        direction: 'ASC',
        select: `item."id", item."squadId", item."userId", item."requestedAt"`,
      },
      requests,
    );
  }

  /** Deletes the user's open join requests, in `tx`. */
  async eraseUser(tx: SquadTx, userId: string): Promise<void> {
    await tx.joinRequest.deleteMany({ where: { userId } });
  }
}
