import type { SqlSession } from '@fitnexa/shared/db';

/**
 * A comparable description of a schema's tables, columns, indexes, constraints and enums, to tell
 * whether two ways of building it (migrations, a fresh diff) agree.
 */
export async function describeSchema(sql: SqlSession, schema: string): Promise<string[]> {
  const rows = await Promise.all([
    sql.query<{ line: string }>(
      `SELECT concat_ws(' ', 'column', table_name, column_name, udt_name, is_nullable, column_default,
              character_maximum_length, numeric_precision, numeric_scale, datetime_precision) AS line
         FROM information_schema.columns
        WHERE table_schema = $1 AND table_name <> '_prisma_migrations'`,
      [schema],
    ),
    sql.query<{ line: string }>(
      `SELECT concat_ws(' ', 'index', indexname, replace(indexdef, $1 || '.', '')) AS line
         FROM pg_indexes WHERE schemaname = $1 AND tablename <> '_prisma_migrations'`,
      [schema],
    ),
    sql.query<{ line: string }>(
      `SELECT concat_ws(' ', 'constraint', c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid)) AS line
         FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
        WHERE n.nspname = $1 AND c.conrelid::regclass::text NOT LIKE '%_prisma_migrations'`,
      [schema],
    ),
    sql.query<{ line: string }>(
      `SELECT concat_ws(' ', 'enum', t.typname, string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder)) AS line
         FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace n ON n.oid = t.typnamespace
        WHERE n.nspname = $1 GROUP BY t.typname`,
      [schema],
    ),
  ]);
  return rows
    .flat()
    .map((row) => row.line)
    .sort();
}
