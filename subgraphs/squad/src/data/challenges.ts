import { indexBy, isUuid } from '@fitnexa/shared/db';
import type { SquadPrisma, SquadTx } from '../db';
import type { ChallengeMetric } from '../generated/prisma/enums';
import { activityFields, type ActivityData, type ActivityRecord } from './activities';
import { squadPages, type SquadPageRequest } from './pages';

export interface ChallengeRecord {
  id: string;
  squadId: string;
  title: string;
  metric: ChallengeMetric;
  goal: number;
  startsAt: Date;
  endsAt: Date;
  createdById: string;
  createdAt: Date;
}

const fields = {
  id: true,
  squadId: true,
  title: true,
  metric: true,
  goal: true,
  startsAt: true,
  endsAt: true,
  createdById: true,
  createdAt: true,
} as const;

export class ChallengeRepository {
  constructor(private readonly prisma: SquadPrisma) {}

  /** Challenges by id, in the order of `ids`, null where there is none; one query whatever the count. */
  async findByIds(ids: readonly string[]): Promise<(ChallengeRecord | null)[]> {
    const validIds = ids.filter(isUuid);
    const rows = validIds.length
      ? await this.prisma.challenge.findMany({ where: { id: { in: validIds } }, select: fields })
      : [];
    return indexBy(ids, rows, (challenge) => challenge.id);
  }

  /** Creates a challenge with its feed entry, atomically. */
  create(
    data: Omit<ChallengeRecord, 'id'>,
    activity: (challengeId: string) => ActivityData,
  ): Promise<{ challenge: ChallengeRecord; activity: ActivityRecord }> {
    return this.prisma.$transaction(async (tx) => {
      const challenge = await tx.challenge.create({ data, select: fields });
      const created = await tx.squadActivity.create({
        data: activity(challenge.id),
        select: activityFields,
      });
      return { challenge, activity: created };
    });
  }

  /** One page per request of its squad's challenges, newest first; one query. */
  pages(requests: readonly SquadPageRequest[]): Promise<ChallengeRecord[][]> {
    return squadPages<ChallengeRecord>(
      this.prisma,
      {
        table: 'Challenge',
        time: 'createdAt',
        id: 'id',
        direction: 'DESC',
        select: `item."id", item."squadId", item."title", item."metric"::text AS "metric",
          item."goal", item."startsAt", item."endsAt", item."createdById", item."createdAt"`,
      },
      requests,
    );
  }

  /** The challenges the user created stay, created by `anonymousId`; in `tx`. */
  async eraseCreator(tx: SquadTx, userId: string, anonymousId: string): Promise<void> {
    await tx.challenge.updateMany({
      where: { createdById: userId },
      data: { createdById: anonymousId },
    });
  }
}
