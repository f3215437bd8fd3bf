import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';
import { z } from 'zod';
import { isUuid } from '../db/rows';
import { parseInput, UserInputError } from '../errors';

export {
  fragmentsOf,
  operationSameForEveryCaller,
  SAME_FOR_EVERY_CALLER,
  selectsOnlyDeclared,
  type DeclaredField,
} from './same-for-every-caller';

/** ISO-8601 date-times in UTC, the `DateTime` scalar of every subgraph. */
export const DateTime = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  serialize: (value) => (value instanceof Date ? value : new Date(String(value))).toISOString(),
  parseValue: (value) => parseDate(value),
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING) throw new GraphQLError('DateTime must be a string');
    return parseDate(ast.value);
  },
});

function parseDate(value: unknown): Date {
  const date = typeof value === 'string' ? new Date(value) : new Date(NaN);
  if (Number.isNaN(date.getTime())) {
    throw new GraphQLError('DateTime must be an ISO-8601 string such as 2026-11-24T17:30:00Z');
  }
  return date;
}

/** Opaque cursors: base64url of a value the data layer understands (an id, a position). */
export const encodeCursor = (value: string) => Buffer.from(value, 'utf8').toString('base64url');
export const decodeCursor = (cursor: string) => Buffer.from(cursor, 'base64url').toString('utf8');

const pageArgs = z.object({
  first: z.number().int().min(1, 'must be at least 1').max(100, 'must be at most 100'),
  after: z.string().max(200).nullish(),
});

/** Validates `first`/`after` (BAD_USER_INPUT otherwise) and decodes the cursor. */
export function pageRequest(
  args: { first?: number | null; after?: string | null },
  defaultFirst = 20,
) {
  const { first, after } = parseInput(pageArgs, {
    first: args.first ?? defaultFirst,
    after: args.after,
  });
  return { first, after: after ? decodeCursor(after) : null };
}

/** A cursor connection from one page of rows fetched with `first + 1` to learn whether more follow. */
export function connection<T>(rows: T[], first: number, cursorOf: (row: T) => string) {
  const nodes = rows.slice(0, first);
  const edges = nodes.map((node) => ({ cursor: encodeCursor(cursorOf(node)), node }));
  return {
    edges,
    pageInfo: { hasNextPage: rows.length > first, endCursor: edges.at(-1)?.cursor ?? null },
  };
}

/** BAD_USER_INPUT for a page cursor that the list did not hand out. */
export const invalidCursor = () =>
  new UserInputError('Invalid input: after: is not a cursor of this list', [
    { field: 'after', message: 'is not a cursor of this list' },
  ]);

/** Where a page of a list ordered by a time, then by id (newest first, say), continues after. */
export interface TimePosition {
  at: Date;
  id: string;
}

/** The cursor of a row in a list ordered by `at`, then by id. */
export const timeCursor = (at: Date, id: string) => `${at.toISOString()}|${id}`;

/** Validates the arguments of a page of a time-ordered list and parses its cursor (BAD_USER_INPUT otherwise). */
export function timePageRequest(args: { first?: number | null; after?: string | null }): {
  first: number;
  after: TimePosition | null;
} {
  const { first, after } = pageRequest(args);
  if (after === null) return { first, after: null };
  const [at = '', id = ''] = after.split('|');
  const position = { at: new Date(at), id };
  if (Number.isNaN(position.at.getTime()) || !isUuid(position.id)) throw invalidCursor();
  return { first, after: position };
}
