import { stmt, type Db } from './sqlite.js';

const NAME = /^[a-z_]+$/;

/**
 * Appends event rows to `table`, ignoring ids already stored (a window overlapping the last one).
 * Rows of one call share their columns (the first row's). Returns how many were new.
 */
export function insertEvents(db: Db, table: string, rows: readonly Record<string, string | number | null>[], runId: number): number {
  if (rows.length === 0) return 0;
  const columns = Object.keys(rows[0]!);
  if (!NAME.test(table) || !columns.every((c) => NAME.test(c))) throw new Error(`not a table or column name: ${table} (${columns.join(', ')})`);
  const insert = stmt(db, `INSERT OR IGNORE INTO ${table} (${columns.join(', ')}, run_id) VALUES (${columns.map(() => '?').join(', ')}, ?)`);
  let n = 0;
  for (const row of rows) n += insert.run(...columns.map((c) => row[c] ?? null), runId).changes;
  return n;
}
