/** The little SQL surface migrations and health checks need, over pg and PGlite alike. */
export interface SqlSession {
  query<Row = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<Row[]>;
  /** Runs a script of several statements (no parameters). */
  exec(script: string): Promise<void>;
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

// Schema and role names come from config; keep them to plain identifiers.
export function assertIdentifier(name: string, what: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) {
    throw new Error(`${what} "${name}" must be a lower-case SQL identifier`);
  }
  return name;
}
