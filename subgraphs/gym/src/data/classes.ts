import type { GymPrisma } from '../db';
import { indexBy, isUuid } from '@fitnexa/shared/db';

export interface GymClassRecord {
  id: string;
  gymId: string;
  title: string;
  coachId: string;
  startsAt: Date;
  durationMinutes: number;
  capacity: number;
}

/** How many live bookings a class holds. */
export interface Occupancy {
  booked: number;
  waitlisted: number;
}

const fields = {
  id: true,
  gymId: true,
  title: true,
  coachId: true,
  startsAt: true,
  durationMinutes: true,
  capacity: true,
} as const;

export class GymClassRepository {
  constructor(private readonly prisma: GymPrisma) {}

  /** Classes by id, in the order of `ids`, null where there is none; one query whatever the count. */
  async findByIds(ids: readonly string[]): Promise<(GymClassRecord | null)[]> {
    const validIds = ids.filter(isUuid);
    const rows = validIds.length
      ? await this.prisma.gymClass.findMany({ where: { id: { in: validIds } }, select: fields })
      : [];
    return indexBy(ids, rows, (gymClass) => gymClass.id);
  }

  /** A gym's classes starting in [from, to), in start order. */
  schedule(gymId: string, range: { from: Date; to: Date }): Promise<GymClassRecord[]> {
    return this.prisma.gymClass.findMany({
      where: { gymId, startsAt: { gte: range.from, lt: range.to } },
      select: fields,
      orderBy: [{ startsAt: 'asc' }, { id: 'asc' }],
    });
  }

  create(data: Omit<GymClassRecord, 'id'>): Promise<GymClassRecord> {
    return this.prisma.gymClass.create({ data, select: fields });
  }

  /** Booked and waitlisted counts per class, in the order of `classIds`; one query whatever the count. */
  async occupancy(classIds: readonly string[]): Promise<Occupancy[]> {
    const validIds = classIds.filter(isUuid);
    const rows = validIds.length
      ? await this.prisma.classBooking.groupBy({
          by: ['classId', 'status'],
          where: { classId: { in: validIds }, live: true },
          _count: { _all: true },
        })
      : [];
    const byClass = new Map<string, Occupancy>();
    for (const row of rows) {
      const occupancy = byClass.get(row.classId) ?? { booked: 0, waitlisted: 0 };
      if (row.status === 'BOOKED') occupancy.booked = row._count._all;
      else occupancy.waitlisted = row._count._all;
      byClass.set(row.classId, occupancy);
    }
    return classIds.map((id) => byClass.get(id) ?? { booked: 0, waitlisted: 0 });
  }
}
