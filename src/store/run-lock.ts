import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { isProcessAlive } from './process-alive.js';
import { DatabaseError, RunLockedError, type LockHolder } from '../errors/index.js';
import { assertFolderExists } from './open-database.js';
import { Database, type Db } from './sqlite.js';

export interface RunLock {
  release(): void;
}

/**
 * One run at a time per database (pull, prune). The lock is an exclusive SQLite lock held on
 * `<db>.lock` for the whole run: the operating system drops it when the process ends in any way
 * (SIGKILL included), so there is never a stale lock to clean up. A second run fails at once with
 * RunLockedError (DB_LOCKED, exit 5), before it has done anything.
 *
 * In locking_mode EXCLUSIVE the connection keeps its exclusive lock after the first write commits
 * (https://www.sqlite.org/pragma.html#pragma_locking_mode), so the holder commits who it is and keeps
 * the lock. Nobody can read the lock file through SQLite while it is held, so the holder's pid also
 * goes into the file header's user_version (bytes 60-63, https://www.sqlite.org/fileformat.html) and
 * the commit sets the file's mtime: a refused run reads both from the raw file to say who holds it.
 */
export function acquireRunLock(dbPath: string): RunLock {
  if (dbPath === ':memory:') return { release() {} };
  assertFolderExists(dbPath);
  const lockPath = `${dbPath}.lock`;
  let lockDb: Db | undefined;
  try {
    lockDb = new Database(lockPath, { timeout: 0 });
    lockDb.pragma('locking_mode = EXCLUSIVE');
    lockDb.exec('CREATE TABLE IF NOT EXISTS holder (pid INTEGER, started_at TEXT)');
    const db = lockDb;
    db.transaction(() => {
      db.prepare('DELETE FROM holder').run();
      db.prepare('INSERT INTO holder (pid, started_at) VALUES (?, ?)').run(process.pid, new Date().toISOString());
      db.pragma(`user_version = ${process.pid}`);
    }).exclusive();
  } catch (cause) {
    lockDb?.close();
    if ((cause as { code?: string }).code === 'SQLITE_BUSY') throw new RunLockedError(dbPath, readHolder(lockPath), cause);
    throw new DatabaseError('DB_LOCK_FAILED', `Cannot create the lock file ${lockPath}: ${(cause as Error).message}`, { cause });
  }
  const held = lockDb;
  return {
    release() {
      if (held.open) held.close();
    },
  };
}

/**
 * Who holds the lock, from the raw lock file (locks are advisory: reading the bytes is allowed).
 * Best effort: a holder still writing its header, or a pid that is gone, tells nothing.
 */
function readHolder(lockPath: string): LockHolder {
  try {
    const head = Buffer.alloc(64);
    const fd = openSync(lockPath, 'r');
    try {
      if (readSync(fd, head, 0, 64, 0) < 64) return {};
    } finally {
      closeSync(fd);
    }
    const pid = head.readUInt32BE(60);
    if (pid <= 0 || !isProcessAlive(pid)) return {};
    return { pid, since: statSync(lockPath).mtime.toISOString() };
  } catch {
    return {};
  }
}

