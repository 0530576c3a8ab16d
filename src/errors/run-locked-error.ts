import { DatabaseError } from './database-error.js';

/** Who holds the run lock, as far as the lock file tells. */
export interface LockHolder {
  pid?: number;
  /** ISO-8601 UTC time the holder took the lock. */
  since?: string;
}

/**
 * Another run (a pull, a prune) holds the database's run lock, so nothing was done. Exit 5: a
 * scheduler whose job overlaps the previous one may simply skip (CONTRACT.md section 1). Code
 * DB_LOCKED, as before it had its own exit code.
 */
export class RunLockedError extends DatabaseError {
  override readonly exitCode = 5;
  readonly dbPath: string;
  readonly holder: LockHolder;

  constructor(dbPath: string, holder: LockHolder = {}, cause?: unknown) {
    const who = [holder.pid !== undefined ? `pid ${holder.pid}` : '', holder.since ? `since ${holder.since}` : ''].filter(Boolean).join(' ');
    super('DB_LOCKED', `another run is using ${dbPath}${who ? ` (${who})` : ''}; nothing done`, {
      suggestion: 'Nothing to do: runs on one database cannot overlap. Let the other run finish (see `entra-extract status`).',
      cause,
    });
    this.dbPath = dbPath;
    this.holder = holder;
  }
}
