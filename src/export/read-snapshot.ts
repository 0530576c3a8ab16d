import { openDatabase, type Db } from '../store/index.js';

/**
 * Runs `read` inside one read transaction on a read-only connection: BEGIN, every read, COMMIT.
 * In WAL mode the first read fixes the snapshot (https://www.sqlite.org/wal.html#concurrency), so
 * a pull committing pages meanwhile changes nothing that `read` sees, and `read` never blocks it.
 * Like `backup`, it takes no run lock and needs no credentials.
 */
export function withReadSnapshot<T>(dbPath: string, read: (db: Db) => T): T {
  const db = openDatabase(dbPath, { readonly: true });
  try {
    db.exec('BEGIN');
    try {
      return read(db);
    } finally {
      if (db.inTransaction) db.exec('COMMIT');
    }
  } finally {
    db.close();
  }
}
