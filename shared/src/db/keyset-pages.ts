import { groupBy, isUuid } from './rows';

/** Runs SQL text with positional parameters: any service's generated Prisma client does. */
export interface RawQueries {
  $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): PromiseLike<T>;
}

/** The columns each request brings to a query, by name, with their SQL types ('uuid', 'int', …). */
export type RequestColumns = Readonly<Record<string, string>>;

/** A query of many requests' rows at once; its SQL reads each request as the row `request`. */
export interface PerRequestQuery {
  columns: RequestColumns;
  /** The fields of each row. */
  select: string;
  /** What follows `FROM <the requests> request`: the joins (or lateral subquery) and filters. */
  from: string;
  /** Each request's rows in this order, if any. */
  order?: string;
}

/**
 * Each request's rows, in the order of `requests`: one query for any number of requests. The
 * requests travel as ONE JSON parameter (values are never spliced into the SQL, whose fragments
 * are the code's own). A request with anything but a uuid (or null) in a uuid column names no
 * rows, and PostgreSQL would reject it: it gets none without asking.
 */
export async function rowsPerRequest<Row>(
  db: RawQueries,
  query: PerRequestQuery,
  requests: readonly Readonly<Record<string, unknown>>[],
): Promise<Row[][]> {
  const uuidColumns = Object.keys(query.columns).filter((name) => query.columns[name] === 'uuid');
  const valid = requests
    .map((values, index): Record<string, unknown> => ({ ...values, index }))
    .filter((values) => uuidColumns.every((name) => isUuidOrNull(values[name])));
  if (!valid.length) return requests.map(() => []);
  const columns = Object.entries(query.columns)
    .map(([name, type]) => `${name} ${type}`)
    .join(', ');
  const rows = await db.$queryRawUnsafe<(Row & { requestIndex: number })[]>(
    `SELECT request.index AS "requestIndex", ${query.select}
       FROM json_to_recordset($1::json) AS request(index int, ${columns})
       ${query.from}
      ORDER BY request.index${query.order ? `, ${query.order}` : ''}`,
    JSON.stringify(valid),
  );
  const byRequest = groupBy(
    requests.map((_, index) => String(index)),
    rows,
    (row) => String(row.requestIndex),
  );
  return byRequest.map((list) => list.map(({ requestIndex: _index, ...row }) => row as Row));
}

const isUuidOrNull = (value: unknown) =>
  value === null || value === undefined || (typeof value === 'string' && isUuid(value));

/**
 * A table listed per owner (a user's sessions, a squad's members), ordered by a time column, then
 * by an id column. Names are the code's own, never input.
 */
export interface KeysetTable {
  table: string;
  /**
   * The column of `table` naming each row's owner; or, when the owner is not on the table, the
   * join from `candidate` that reaches it and its column there (e.g. `participant."userId"`).
   */
  owner: string | { join: string; column: string };
  time: string;
  id: string;
  direction: 'ASC' | 'DESC';
  /** The fields of each row, read from `item` (enums cast to text). */
  select: string;
  /** Further columns of each request, for `where`. */
  columns?: RequestColumns;
  /** A further condition on each `candidate` row, over `request` and its further columns. */
  where?: string;
}

/** One page of one owner's rows. */
export interface KeysetPageRequest {
  owner: string;
  /** Rows to read: one more than the page size tells whether more follow. */
  take: number;
  /** The position (time and id) the page continues after; null for the first page. */
  after: { at: Date; id: string } | null;
  /** The values of the table's further `columns`. */
  values?: Readonly<Record<string, unknown>>;
}

const quote = (name: string) => `"${name}"`;

/**
 * One page per request, each owner's rows in the table's order: one query for any number of
 * owners, each with its own size and position (a lateral join walks each owner's index).
 */
export function keysetPages<Row>(
  db: RawQueries,
  list: KeysetTable,
  requests: readonly KeysetPageRequest[],
): Promise<Row[][]> {
  const [time, id, direction] = [quote(list.time), quote(list.id), list.direction];
  const beyond = direction === 'ASC' ? '>' : '<';
  const { join, column: owner } =
    typeof list.owner === 'string'
      ? { join: '', column: `candidate.${quote(list.owner)}` }
      : list.owner;
  return rowsPerRequest<Row>(
    db,
    {
      columns: {
        owner_id: 'uuid',
        take: 'int',
        after_at: 'timestamptz',
        after_id: 'uuid',
        ...list.columns,
      },
      select: list.select,
      from: `CROSS JOIN LATERAL (
          SELECT candidate.* FROM ${quote(list.table)} candidate ${join}
           WHERE ${owner} = request.owner_id
             AND (request.after_at IS NULL
                  OR (candidate.${time}, candidate.${id}) ${beyond} (request.after_at, request.after_id))
             ${list.where ? `AND (${list.where})` : ''}
           ORDER BY candidate.${time} ${direction}, candidate.${id} ${direction}
           LIMIT request.take
        ) item`,
      order: `item.${time} ${direction}, item.${id} ${direction}`,
    },
    requests.map((request) => ({
      ...request.values,
      owner_id: request.owner,
      take: request.take,
      after_at: request.after?.at ?? null,
      after_id: request.after?.id ?? null,
    })),
  );
}
