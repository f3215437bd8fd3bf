import type { WorkoutPrisma, WorkoutTransaction } from '../db';
import type { PersonalRecordKind } from '../generated/prisma/enums';
import { groupBy, isUuid } from '@fitnexa/shared/db';

export interface PersonalRecordRecord {
  id: string;
  userId: string;
  exerciseId: string;
  kind: PersonalRecordKind;
  value: number;
  achievedAt: Date;
  setId: string;
}

const fields = {
  id: true,
  userId: true,
  exerciseId: true,
  kind: true,
  value: true,
  achievedAt: true,
  setId: true,
} as const;

export class PersonalRecordRepository {
  constructor(private readonly prisma: WorkoutPrisma) {}

  /** Each user's records, newest first; one query whatever the count. */
  async findByUserIds(userIds: readonly string[]): Promise<PersonalRecordRecord[][]> {
    const validIds = userIds.filter(isUuid);
    const rows = validIds.length
      ? await this.prisma.personalRecord.findMany({
          where: { userId: { in: validIds } },
          select: fields,
          orderBy: [{ achievedAt: 'desc' }, { kind: 'asc' }],
        })
      : [];
    return groupBy(userIds, rows, (row) => row.userId);
  }

  /** The records each set holds; one query whatever the count. */
  async findBySetIds(setIds: readonly string[]): Promise<PersonalRecordRecord[][]> {
    const rows = await this.prisma.personalRecord.findMany({
      where: { setId: { in: [...setIds] } },
      select: fields,
      orderBy: { kind: 'asc' },
    });
    return groupBy(setIds, rows, (row) => row.setId);
  }

  /** Deletes the user's records, inside `tx`; returns how many. */
  async deleteOfUser(tx: WorkoutTransaction, userId: string): Promise<number> {
    return (await tx.personalRecord.deleteMany({ where: { userId } })).count;
  }
}
