// Helpers for repositories: ids, and the shapes DataLoader batch functions must return.

/** Every FitNexa id is a UUID; anything else names no row (and PostgreSQL would reject it). */
export function isUuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}

/** `rows` grouped by `keyOf`, one list per key of `keys`, in the order of `keys`. */
export function groupBy<Row>(
  keys: readonly string[],
  rows: readonly Row[],
  keyOf: (row: Row) => string,
): Row[][] {
  const groups = new Map<string, Row[]>(keys.map((key) => [key, []]));
  for (const row of rows) groups.get(keyOf(row))?.push(row);
  return keys.map((key) => groups.get(key) ?? []);
}

/** `rows` by `keyOf`, one per key of `keys` (null where there is none), in the order of `keys`. */
export function indexBy<Row>(
  keys: readonly string[],
  rows: readonly Row[],
  keyOf: (row: Row) => string,
): (Row | null)[] {
  const byKey = new Map(rows.map((row) => [keyOf(row), row]));
  return keys.map((key) => byKey.get(key) ?? null);
}

/** Prisma's known request errors: P2002 a unique constraint failed, P2025 the row to change is gone. */
export function isPrismaError(error: unknown, code: 'P2002' | 'P2025'): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === code;
}
