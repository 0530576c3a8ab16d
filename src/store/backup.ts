import { chmodSync, closeSync, existsSync, openSync, rmSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { DatabaseError } from '../errors/index.js';
import { assertFolderExists, openDatabase } from './open-database.js';
import { Database, type Db } from './sqlite.js';

/** The tables whose row counts a backup is checked by. */
export const BACKUP_COUNTED_TABLES = ['entities', 'entity_relations', 'runs', 'changes'] as const;

/** Rows per table; null for a table the database does not have (an older schema). */
export type TableCounts = Record<(typeof BACKUP_COUNTED_TABLES)[number], number | null>;

export interface BackupReport {
  database: string;
  out: string;
  bytes: number;
  /** PRAGMA integrity_check of the copy: 'ok'. */
  integrity: string;
  /** Counted in the copy. */
  counts: TableCounts;
  /** Counted in the source, in the read snapshot the copy was taken from: equal to `counts`. */
  sourceCounts: TableCounts;
  durationMs: number;
}

export interface BackupOptions {
  /** Replace an existing file at `out`. */
  force?: boolean;
  /** Pages copied per step (the event loop runs between steps). */
  pagesPerStep?: number;
}

/**
 * A consistent, standalone copy of the database, taken with SQLite's online backup API while pulls
 * may be running (https://www.sqlite.org/backup.html). It takes no run lock: in WAL mode a reader
 * never blocks the writer. The source connection opens one read transaction first and the backup
 * runs inside it, so every page comes from that one snapshot (a backup step only opens its own read
 * transaction when none is open, and so never restarts), and the row counts taken in the same
 * snapshot must equal the copy's.
 *
 * The file is created with mode 0600 before anything is written to it (it holds the whole
 * directory), switched to a rollback journal so that it needs no -wal file beside it, then checked
 * with PRAGMA integrity_check and its row counts. A copy that fails the check is removed.
 */
export async function backupDatabase(dbPath: string, outPath: string, options: BackupOptions = {}): Promise<BackupReport> {
  const started = Date.now();
  const source = resolve(dbPath);
  const out = resolve(outPath);
  if (out === source) throw new DatabaseError('BACKUP_SAME_FILE', `The backup would overwrite the database itself (${out})`, { suggestion: 'Pass another --out.' });
  assertFolderExists(out);
  if (existsSync(out)) {
    if (!options.force) {
      throw new DatabaseError('BACKUP_EXISTS', `${out} exists; the backup does not overwrite it`, {
        suggestion: 'Pass another --out, or --force to replace it.',
      });
    }
    if (statSync(out).isDirectory()) throw new DatabaseError('BACKUP_EXISTS', `${out} is a folder`, { suggestion: 'Pass a file path as --out.' });
    removeDatabaseFiles(out);
  }
  const src = openDatabase(dbPath, { readonly: true });
  let sourceCounts: TableCounts;
  try {
    // Owner-only from the first byte: SQLite derives the journal's mode from this file's.
    closeSync(openSync(out, 'wx', 0o600));
    try {
      src.exec('BEGIN');
      try {
        sourceCounts = countRows(src); // the first read fixes the snapshot the backup copies
        const rate = options.pagesPerStep ?? 1000;
        await src.backup(out, { progress: () => rate });
      } finally {
        src.exec('COMMIT');
      }
    } catch (error) {
      removeDatabaseFiles(out);
      throw new DatabaseError('BACKUP_FAILED', `The backup to ${out} failed: ${(error as Error).message}`, {
        cause: error,
        suggestion: 'Check free disk space where --out points, then run the backup again.',
      });
    }
  } finally {
    src.close();
  }
  chmodSync(out, 0o600);
  const { integrity, counts } = finishCopy(out);
  const same = BACKUP_COUNTED_TABLES.every((t) => counts[t] === sourceCounts[t]);
  if (integrity !== 'ok' || !same) {
    removeDatabaseFiles(out);
    throw new DatabaseError(
      'BACKUP_VERIFY_FAILED',
      `The copy did not verify (integrity_check: ${integrity}; rows in copy ${JSON.stringify(counts)}, in database ${JSON.stringify(sourceCounts)}); it was removed`,
      { suggestion: 'Run the backup again; if it keeps failing, run PRAGMA integrity_check on the database itself.' },
    );
  }
  return { database: dbPath, out, bytes: statSync(out).size, integrity, counts, sourceCounts, durationMs: Date.now() - started };
}

/** Makes the copy standalone (rollback journal, no -wal), then checks it. */
function finishCopy(out: string): { integrity: string; counts: TableCounts } {
  const copy = new Database(out, { fileMustExist: true });
  try {
    // The copy carries the source's WAL flag in its header; a rollback journal needs no file beside
    // it. openDatabase switches a restored copy back to WAL on its first write.
    copy.pragma('journal_mode = DELETE');
    const integrity = (copy.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check).join('; ');
    return { integrity, counts: countRows(copy) };
  } finally {
    copy.close();
  }
}

function countRows(db: Db): TableCounts {
  const present = new Set(db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[]);
  const counts = {} as TableCounts;
  for (const t of BACKUP_COUNTED_TABLES) counts[t] = present.has(t) ? (db.prepare(`SELECT COUNT(*) FROM ${t}`).pluck().get() as number) : null;
  return counts;
}

function removeDatabaseFiles(path: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(`${path}${suffix}`, { force: true });
}
