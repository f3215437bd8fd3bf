import type { JWK } from 'jose';
import type { IdentityPrisma } from '../db';

export interface SigningKeyRecord {
  kid: string;
  publicJwk: JWK;
  privateJwk: JWK;
  createdAt: Date;
}

export class SigningKeyRepository {
  constructor(private readonly prisma: IdentityPrisma) {}

  async active(): Promise<SigningKeyRecord[]> {
    const rows = await this.prisma.signingKey.findMany({
      where: { retiredAt: null },
      orderBy: { createdAt: 'desc' },
    });
    return rows.map((row) => ({
      kid: row.kid,
      publicJwk: row.publicJwk as JWK,
      privateJwk: row.privateJwk as JWK,
      createdAt: row.createdAt,
    }));
  }

  async create(key: { kid: string; publicJwk: JWK; privateJwk: JWK }): Promise<void> {
    await this.prisma.signingKey.create({
      data: {
        kid: key.kid,
        publicJwk: key.publicJwk as object,
        privateJwk: key.privateJwk as object,
      },
    });
  }
}
