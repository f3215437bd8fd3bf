import pg from 'pg';
import type { SqlSession } from './sql';
import { assertIdentifier, quoteIdent } from './sql';

export function pgSession(client: pg.ClientBase): SqlSession {
  return {
    query: async <Row>(sql: string, params?: unknown[]) =>
      (await client.query(sql, params)).rows as Row[],
    exec: async (script) => {
      await client.query(script);
    },
  };
}

/** Runs `fn` on one connection to `url`, closed afterwards. */
export async function withConnection<T>(
  url: string,
  fn: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export interface ServiceRole {
  schema: string;
  role: string;
  password: string;
}

/**
 * Database per service: makes `role` a login role that owns `schema` and nothing else, so the
 * service can read and write its own tables only. Needs a connection allowed to create roles.
 * Idempotent; also resets the password, so rotating it is a restart.
 */
export async function provisionServiceRole(
  adminUrl: string,
  { schema, role, password }: ServiceRole,
) {
  assertIdentifier(schema, 'schema');
  assertIdentifier(role, 'role');
  await withConnection(adminUrl, async (client) => {
    await client.query('BEGIN');
    try {
      // Two services starting at once must not both try to create the same role.
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`fitnexa:${role}`]);
      const exists = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
      const verb = exists.rowCount ? 'ALTER' : 'CREATE';
      const { rows } = await client.query<{ sql: string }>(
        `SELECT format('${verb} ROLE %I WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD %L', $1::text, $2::text) AS sql`,
        [role, password],
      );
      await client.query(rows[0]!.sql);
      await client.query(
        `CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)} AUTHORIZATION ${quoteIdent(role)}`,
      );
      await client.query(`ALTER SCHEMA ${quoteIdent(schema)} OWNER TO ${quoteIdent(role)}`);
      await client.query(`REVOKE ALL ON SCHEMA ${quoteIdent(schema)} FROM PUBLIC`);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    }
  });
}

/** The same server and database as `url`, logged in as another user. */
export function urlForRole(url: string, role: string, password: string): string {
  const parsed = new URL(url);
  parsed.username = encodeURIComponent(role);
  parsed.password = encodeURIComponent(password);
  parsed.searchParams.delete('schema');
  return parsed.toString();
}

export function userOf(url: string): string {
  return decodeURIComponent(new URL(url).username);
}
