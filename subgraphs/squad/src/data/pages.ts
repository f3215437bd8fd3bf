import { groupBy, isUuid } from '@fitnexa/shared/db';
import type { TimePosition } from '@fitnexa/shared/graphql';
import type { SquadPrisma } from '../db';
import { Prisma } from '../generated/prisma/client';

/** One page of one squad's list (members, challenges, join requests, feed). */
export interface SquadPageRequest {
  squadId: string;
  /** Rows to read: one more than the page size tells whether more follow. */
  take: number;
  after: TimePosition | null;
}

/** A table listed per squad, ordered by a time column, then by an id column. */
export interface PagedTable {
  table: string;
  timeColumn: string;
  idColumn: string;
  direction: 'ASC' | 'DESC';
  /** The row's fields as read from `item` (enums cast to text). */
  select: Prisma.Sql;
}

/**
 * One page per request, each of its squad's rows in the table's order: one query for any number
 * of squads, each with its own size and position (a lateral join walks each squad's index).
 */
export async function squadPages<Row>(
  prisma: SquadPrisma,
  list: PagedTable,
  requests: readonly SquadPageRequest[],
): Promise<Row[][]> {
  const valid = requests
    .map((request, index) => ({ index, request }))
    .filter(({ request }) => isUuid(request.squadId));
  if (!valid.length) return requests.map(() => []);
  const table = Prisma.raw(`"${list.table}"`);
  const time = Prisma.raw(`"${list.timeColumn}"`);
  const id = Prisma.raw(`"${list.idColumn}"`);
  const direction = Prisma.raw(list.direction);
  const beyond = Prisma.raw(list.direction === 'ASC' ? '>' : '<');
  const rows = await prisma.$queryRaw<(Row & { pageIndex: number })[]>`
    SELECT page.index AS "pageIndex", ${list.select}
      FROM json_to_recordset(${JSON.stringify(
        valid.map(({ index, request }) => ({
          index,
          squad_id: request.squadId,
          take: request.take,
          after_at: request.after?.at.toISOString() ?? null,
          after_id: request.after?.id ?? null,
        })),
      )}::json) AS page(index int, squad_id uuid, take int, after_at timestamptz, after_id uuid)
      CROSS JOIN LATERAL (
        SELECT * FROM ${table} candidate
         WHERE candidate."squadId" = page.squad_id
           AND (page.after_at IS NULL
                OR (candidate.${time}, candidate.${id}) ${beyond} (page.after_at, page.after_id))
         ORDER BY candidate.${time} ${direction}, candidate.${id} ${direction}
         LIMIT page.take
      ) item
     ORDER BY page.index, item.${time} ${direction}, item.${id} ${direction}`;
  const byPage = groupBy(
    requests.map((_, index) => String(index)),
    rows,
    (row) => String(row.pageIndex),
  );
  return byPage.map((page) => page.map(({ pageIndex: _pageIndex, ...row }) => row as Row));
}
