import type { JWK } from 'jose';
import type { IdentityPrisma } from '../db';

export interface SigningKeyRecord {
  kid: string;
  publicJwk: JWK;
  /** The private JWK, encrypted (see PrivateKeyCipher); plaintext JSON only in rows older than that. */
  privateKey: string;
  createdAt: Date;
  activatesAt: Date;
  retiredAt: Date | null;
}

type Client = Pick<IdentityPrisma, 'signingKey'>;
type Row = Awaited<ReturnType<IdentityPrisma['signingKey']['findMany']>>[number];

const toRecord = (row: Row): SigningKeyRecord => ({
  kid: row.kid,
  publicJwk: row.publicJwk as JWK,
  privateKey: row.privateKey,
  createdAt: row.createdAt,
  activatesAt: row.activatesAt,
  retiredAt: row.retiredAt,
});

export class SigningKeyRepository {
  constructor(
    private readonly prisma: IdentityPrisma,
    /** Where the queries go: the client, or the transaction of `exclusively`. */
    private readonly client: Client = prisma,
  ) {}

  /** Keys still published at `now` (not retired yet), the last to activate first. */
  async published(now: Date): Promise<SigningKeyRecord[]> {
    const rows = await this.client.signingKey.findMany({
      where: { OR: [{ retiredAt: null }, { retiredAt: { gt: now } }] },
      orderBy: [{ activatesAt: 'desc' }, { createdAt: 'desc' }],
    });
    return rows.map(toRecord);
  }

  /** Every key, retired or not, the last to activate first. */
  async all(): Promise<SigningKeyRecord[]> {
    const rows = await this.client.signingKey.findMany({
      orderBy: [{ activatesAt: 'desc' }, { createdAt: 'desc' }],
    });
    return rows.map(toRecord);
  }

  async create(key: {
    kid: string;
    publicJwk: JWK;
    privateKey: string;
    createdAt: Date;
    activatesAt: Date;
  }): Promise<void> {
    await this.client.signingKey.create({ data: { ...key, publicJwk: key.publicJwk as object } });
  }

  async setPrivateKey(kid: string, privateKey: string): Promise<void> {
    await this.client.signingKey.update({ where: { kid }, data: { privateKey } });
  }

  async setActivatesAt(kid: string, activatesAt: Date): Promise<void> {
    await this.client.signingKey.update({ where: { kid }, data: { activatesAt } });
  }

  /** Every key but `except` is retired at `at` at the latest. */
  async retireOthersBy(except: string, at: Date): Promise<void> {
    await this.client.signingKey.updateMany({
      where: { kid: { not: except }, OR: [{ retiredAt: null }, { retiredAt: { gt: at } }] },
      data: { retiredAt: at },
    });
  }

  /** Deletes the keys retired before `now`; their tokens have all expired. */
  async deleteRetired(now: Date): Promise<number> {
    return (await this.client.signingKey.deleteMany({ where: { retiredAt: { lte: now } } })).count;
  }

  /**
   * Runs `work` in a transaction holding an advisory lock of this schema's signing keys, so that of
   * several identity instances (or `npm run keys:rotate`) only one changes them at a time.
   */
  async exclusively<T>(work: (keys: SigningKeyRepository) => Promise<T>): Promise<T> {
    return this.prisma.$transaction(
      async (tx) => {
        // Keyed by schema: tests (and services) sharing a PostgreSQL server never wait for each other.
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(current_schema() || ':signing-keys'))`;
        return work(new SigningKeyRepository(this.prisma, tx));
      },
      { timeout: 30_000, maxWait: 30_000 },
    );
  }
}
