import type { IdentityPrisma } from '../db';

export interface RefreshTokenRecord {
  id: string;
  familyId: string;
  userId: string;
  expiresAt: Date;
  usedAt: Date | null;
  revokedAt: Date | null;
}

const fields = {
  id: true,
  familyId: true,
  userId: true,
  expiresAt: true,
  usedAt: true,
  revokedAt: true,
} as const;

export class RefreshTokenRepository {
  constructor(private readonly prisma: IdentityPrisma) {}

  create(data: {
    familyId: string;
    userId: string;
    tokenHash: string;
    expiresAt: Date;
  }): Promise<RefreshTokenRecord> {
    return this.prisma.refreshToken.create({ data, select: fields });
  }

  findByHash(tokenHash: string): Promise<RefreshTokenRecord | null> {
    return this.prisma.refreshToken.findUnique({ where: { tokenHash }, select: fields });
  }

  /**
   * Marks a token spent, only if it still is unspent and unrevoked: of two concurrent refreshes
   * with the same token exactly one wins.
   */
  async markUsed(id: string, at: Date): Promise<boolean> {
    const { count } = await this.prisma.refreshToken.updateMany({
      where: { id, usedAt: null, revokedAt: null },
      data: { usedAt: at },
    });
    return count === 1;
  }

  async revokeFamily(familyId: string, at: Date): Promise<number> {
    const { count } = await this.prisma.refreshToken.updateMany({
      where: { familyId, revokedAt: null },
      data: { revokedAt: at },
    });
    return count;
  }

  /** Rotation: spends `usedId` and issues its successor in one transaction. */
  async rotate(
    usedId: string,
    next: { familyId: string; userId: string; tokenHash: string; expiresAt: Date },
    at: Date,
  ): Promise<boolean> {
    return this.prisma.$transaction(async (tx) => {
      const { count } = await tx.refreshToken.updateMany({
        where: { id: usedId, usedAt: null, revokedAt: null },
        data: { usedAt: at },
      });
      if (count !== 1) return false;
      await tx.refreshToken.create({ data: next });
      return true;
    });
  }
}
