import { DatabaseError } from '../errors/index.js';
import { assertFolderExists } from './open-database.js';
import { Database, type Db } from './sqlite.js';

export interface RunLock {
  release(): void;
}

/**
 * One pull at a time per database. The lock is an exclusive SQLite lock held on `<db>.lock` for the
 * whole run: the operating system drops it when the process ends in any way (SIGKILL included), so
 * there is never a stale lock to clean up. A second run fails at once with DB_LOCKED.
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
    lockDb.exec('BEGIN EXCLUSIVE');
    lockDb.prepare('DELETE FROM holder').run();
    lockDb.prepare('INSERT INTO holder (pid, started_at) VALUES (?, ?)').run(process.pid, new Date().toISOString());
  } catch (cause) {
    lockDb?.close();
    if ((cause as { code?: string }).code === 'SQLITE_BUSY') {
      throw new DatabaseError('DB_LOCKED', `Another entra-extract run is using ${dbPath}`, {
        suggestion: 'Wait for it to finish (see `entra-extract status`); runs on one database cannot overlap.',
        cause,
      });
    }
    throw new DatabaseError('DB_LOCK_FAILED', `Cannot create the lock file ${lockPath}: ${(cause as Error).message}`, { cause });
  }
  const held = lockDb;
  return {
    release() {
      if (!held.open) return;
      try {
        held.exec('ROLLBACK');
      } finally {
        held.close();
      }
    },
  };
}
