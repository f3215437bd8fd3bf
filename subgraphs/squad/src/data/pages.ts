import { keysetPages, type KeysetTable } from '@fitnexa/shared/db';
import type { TimePosition } from '@fitnexa/shared/graphql';
import type { SquadPrisma } from '../db';

/** One page of one squad's list (members, challenges, join requests, feed). */
export interface SquadPageRequest {
  squadId: string;
  /** Rows to read: one more than the page size tells whether more follow. */
  take: number;
  after: TimePosition | null;
}

/** One page per request, each of its squad's rows in the table's order; one query for all. */
export function squadPages<Row>(
  prisma: SquadPrisma,
  list: Omit<KeysetTable, 'owner'>,
  requests: readonly SquadPageRequest[],
): Promise<Row[][]> {
  return keysetPages<Row>(
    prisma,
    { ...list, owner: 'squadId' },
    requests.map(({ squadId, take, after }) => ({ owner: squadId, take, after })),
  );
}
