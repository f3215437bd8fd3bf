import { indexBy, isUuid, rowsPerRequest } from '@fitnexa/shared/db';
import type { EventOutbox } from '@fitnexa/shared/events';
import type { SquadPrisma, SquadTx } from '../db';
import type { SquadVisibility } from '../generated/prisma/enums';
import { activityFields, type ActivityData, type ActivityRecord } from './activities';

export interface SquadRecord {
  id: string;
  name: string;
  description: string | null;
  visibility: SquadVisibility;
  homeGymId: string | null;
  ownerId: string;
  createdAt: Date;
}

/** A user of identity's, known here by id only. */
export interface UserReference {
  id: string;
}

/** A gym of the gym subgraph's, known here by id only. */
export interface GymReference {
  id: string;
}

export type SquadData = Pick<SquadRecord, 'name' | 'description' | 'visibility' | 'homeGymId'>;

/** Where a page of the public directory (by lower-cased name, then id) starts: after this squad. */
export interface NamePosition {
  nameKey: string;
  id: string;
}

export interface DirectoryQuery {
  /** Only squads whose name contains this, in any case. */
  search: string | null;
  take: number;
  after: NamePosition | null;
}

/** A user's squads as one viewer may see them. */
export interface UserSquadsRequest {
  userId: string;
  publicOnly: boolean;
}

const fields = {
  id: true,
  name: true,
  description: true,
  visibility: true,
  homeGymId: true,
  ownerId: true,
  createdAt: true,
} as const;

const nameKeyOf = (name: string) => name.toLowerCase();

/** The squad's place in the directory, for its cursor. */
export const directoryPositionOf = (squad: SquadRecord): NamePosition => ({
  nameKey: nameKeyOf(squad.name),
  id: squad.id,
});

/** `text` as a LIKE pattern matching itself only: its wildcards and escapes escaped. */
const likeLiteral = (text: string) => text.replace(/[\\%_]/g, (match) => `\\${match}`);

export class SquadRepository {
  constructor(
    private readonly prisma: SquadPrisma,
    private readonly events: EventOutbox,
  ) {}

  /** Squads by id, in the order of `ids`, null where there is none; one query whatever the count. */
  async findByIds(ids: readonly string[]): Promise<(SquadRecord | null)[]> {
    const validIds = ids.filter(isUuid);
    const rows = validIds.length
      ? await this.prisma.squad.findMany({ where: { id: { in: validIds } }, select: fields })
      : [];
    return indexBy(ids, rows, (squad) => squad.id);
  }

  /**
   * Creates a squad with its owner as its first member and the feed's first entry, atomically;
   * `id` only where it must be known in advance (the demo squad).
   */
  async create(
    data: SquadData & { ownerId: string; createdAt: Date; id?: string },
    activity: (squadId: string) => ActivityData,
  ): Promise<{ squad: SquadRecord; activity: ActivityRecord }> {
    return this.prisma.$transaction(async (tx) => {
      const squad = await tx.squad.create({
        data: {
          ...data,
          nameKey: nameKeyOf(data.name),
          members: {
            create: { userId: data.ownerId, role: 'OWNER', joinedAt: data.createdAt },
          },
        },
        select: fields,
      });
      // The owner's membership starts with the squad.
      await this.events.record(tx, 'squad.member.joined', {
        squadId: squad.id,
        userId: squad.ownerId,
      });
      const created = await tx.squadActivity.create({
        data: activity(squad.id),
        select: activityFields,
      });
      return { squad, activity: created };
    });
  }

  /** Changes a squad and writes the feed entry, atomically. */
  update(
    id: string,
    data: Partial<SquadData>,
    activity: ActivityData,
  ): Promise<{ squad: SquadRecord; activity: ActivityRecord }> {
    return this.prisma.$transaction(async (tx) => ({
      squad: await tx.squad.update({
        where: { id },
        data: { ...data, ...(data.name ? { nameKey: nameKeyOf(data.name) } : {}) },
        select: fields,
      }),
      activity: await tx.squadActivity.create({ data: activity, select: activityFields }),
    }));
  }

  /** A page of the PUBLIC squads by name, then id. */
  directory(query: DirectoryQuery): Promise<SquadRecord[]> {
    const { search, take, after } = query;
    return this.prisma.squad.findMany({
      where: {
        visibility: 'PUBLIC',
        ...(search ? { name: { contains: likeLiteral(search), mode: 'insensitive' } } : {}),
        ...(after
          ? {
              OR: [
                { nameKey: { gt: after.nameKey } },
                { nameKey: after.nameKey, id: { gt: after.id } },
              ],
            }
          : {}),
      },
      orderBy: [{ nameKey: 'asc' }, { id: 'asc' }],
      take,
      select: fields,
    });
  }

  /** Each request's squads of its user, by name; one query for any number of requests. */
  ofUsers(requests: readonly UserSquadsRequest[]): Promise<SquadRecord[][]> {
    return rowsPerRequest<SquadRecord>(
      this.prisma,
      {
        columns: { user_id: 'uuid', public_only: 'boolean' },
        select: `squad."id", squad."name", squad."description",
                 squad."visibility"::text AS "visibility", squad."homeGymId", squad."ownerId",
                 squad."createdAt"`,
        from: `JOIN "SquadMember" member ON member."userId" = request.user_id
               JOIN "Squad" squad ON squad."id" = member."squadId"
              WHERE NOT request.public_only OR squad."visibility" = 'PUBLIC'`,
        order: `squad."name", squad."id"`,
      },
      requests.map((request) => ({ user_id: request.userId, public_only: request.publicOnly })),
    );
  }

  /** Each squad's number of members, in the order of `squadIds`; one query whatever the count. */
  async memberCounts(squadIds: readonly string[]): Promise<number[]> {
    const validIds = squadIds.filter(isUuid);
    const rows = validIds.length
      ? await this.prisma.squadMember.groupBy({
          by: ['squadId'],
          where: { squadId: { in: validIds } },
          _count: { _all: true },
        })
      : [];
    const counts = new Map(rows.map((row) => [row.squadId, row._count._all]));
    return squadIds.map((id) => counts.get(id) ?? 0);
  }

  async hasAny(): Promise<boolean> {
    return (await this.prisma.squad.count()) > 0;
  }

  /**
   * Deletes those of the squads that have no member left (with their challenges, feed, requests
   * and invitations), in `tx`; the ids of those deleted.
   */
  async deleteEmpty(tx: SquadTx, squadIds: readonly string[]): Promise<string[]> {
    if (!squadIds.length) return [];
    const rows = await tx.$queryRaw<{ id: string }[]>`
      DELETE FROM "Squad" squad
       WHERE squad."id" = ANY(${squadIds}::uuid[])
         AND NOT EXISTS (SELECT 1 FROM "SquadMember" member WHERE member."squadId" = squad."id")
      RETURNING squad."id"`;
    return rows.map((row) => row.id);
  }
}
