import { isUuid } from '@fitnexa/shared/db';
import type { EventOutbox } from '@fitnexa/shared/events';
import type { Role } from '@fitnexa/shared/types';
import type { IdentityPrisma } from '../db';

export interface UserRecord {
  id: string;
  email: string;
  displayName: string;
  role: Role;
  createdAt: Date;
}

export interface UserWithPassword extends UserRecord {
  passwordHash: string;
}

const publicFields = {
  id: true,
  email: true,
  displayName: true,
  role: true,
  createdAt: true,
} as const;

export class UserRepository {
  constructor(
    private readonly prisma: IdentityPrisma,
    private readonly events: EventOutbox,
  ) {}

  /** Users by id, in the order of `ids`, null where there is none; one query whatever the count. */
  async findByIds(ids: readonly string[]): Promise<(UserRecord | null)[]> {
    const validIds = ids.filter(isUuid);
    const rows = validIds.length
      ? await this.prisma.user.findMany({ where: { id: { in: validIds } }, select: publicFields })
      : [];
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => byId.get(id) ?? null);
  }

  findByEmailWithPassword(email: string): Promise<UserWithPassword | null> {
    return this.prisma.user.findUnique({
      where: { email },
      select: { ...publicFields, passwordHash: true },
    });
  }

  async findPasswordHash(id: string): Promise<string | null> {
    const row = await this.prisma.user.findUnique({
      where: { id },
      select: { passwordHash: true },
    });
    return row?.passwordHash ?? null;
  }

  create(data: {
    /** Set only for demo accounts, whose ids other subgraphs' demo data refers to. */
    id?: string;
    email: string;
    passwordHash: string;
    displayName: string;
    role?: Role;
  }): Promise<UserRecord> {
    return this.prisma.$transaction(async (tx) => {
      const user = await tx.user.create({ data, select: publicFields });
      await this.events.record(tx, 'identity.user.registered', {
        userId: user.id,
        email: user.email,
        displayName: user.displayName,
        role: user.role,
      });
      return user;
    });
  }

  update(id: string, data: { displayName?: string; role?: Role }): Promise<UserRecord> {
    return this.prisma.user.update({ where: { id }, data, select: publicFields });
  }

  /** Deletes the user and records `identity.user.deleted`: every other service erases their data. */
  delete(id: string): Promise<boolean> {
    return this.prisma.$transaction(async (tx) => {
      const { count } = await tx.user.deleteMany({ where: { id } });
      if (count > 0) await this.events.record(tx, 'identity.user.deleted', { userId: id });
      return count > 0;
    });
  }

  count(): Promise<number> {
    return this.prisma.user.count();
  }

  /** Up to `take` users in creation order, after the user with id `after`. */
  page(take: number, after: string | null): Promise<UserRecord[]> {
    return this.prisma.user.findMany({
      select: publicFields,
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      take,
      ...(after ? { cursor: { id: after }, skip: 1 } : {}),
    });
  }

  async exists(id: string): Promise<boolean> {
    return isUuid(id) && (await this.prisma.user.count({ where: { id } })) > 0;
  }
}
