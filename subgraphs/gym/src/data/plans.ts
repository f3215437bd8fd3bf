import type { GymPrisma } from '../db';
import type { BillingPeriod } from '../generated/prisma/enums';
import { groupBy, indexBy, isUuid } from '@fitnexa/shared/db';

export interface PlanRecord {
  id: string;
  gymId: string;
  name: string;
  priceCents: number;
  currency: string;
  period: BillingPeriod;
  perks: string[];
}

const fields = {
  id: true,
  gymId: true,
  name: true,
  priceCents: true,
  currency: true,
  period: true,
  perks: true,
} as const;

export class PlanRepository {
  constructor(private readonly prisma: GymPrisma) {}

  /** Plans by id, in the order of `ids`, null where there is none; one query whatever the count. */
  async findByIds(ids: readonly string[]): Promise<(PlanRecord | null)[]> {
    const validIds = ids.filter(isUuid);
    const rows = validIds.length
      ? await this.prisma.membershipPlan.findMany({
          where: { id: { in: validIds } },
          select: fields,
        })
      : [];
    return indexBy(ids, rows, (plan) => plan.id);
  }

  /** Each gym's plans, cheapest first, in the order of `gymIds`; one query whatever the count. */
  async findByGymIds(gymIds: readonly string[]): Promise<PlanRecord[][]> {
    const validIds = gymIds.filter(isUuid);
    const rows = validIds.length
      ? await this.prisma.membershipPlan.findMany({
          where: { gymId: { in: validIds } },
          select: fields,
          orderBy: [{ priceCents: 'asc' }, { id: 'asc' }],
        })
      : [];
    return groupBy(gymIds, rows, (plan) => plan.gymId);
  }

  create(data: Omit<PlanRecord, 'id'>): Promise<PlanRecord> {
    return this.prisma.membershipPlan.create({ data, select: fields });
  }
}
