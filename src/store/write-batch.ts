import { DatabaseError } from '../errors/index.js';
import type { Db } from './sqlite.js';

/**
 * SQLite result codes after which the open transaction cannot be trusted: SQLite may have rolled it
 * back on its own (https://www.sqlite.org/lang_transaction.html, "Response To Errors Within A
 * Transaction") or the file cannot take more writes.
 */
const STORAGE_FAILURES = /^SQLITE_(FULL|IOERR|CORRUPT|NOTADB|READONLY|NOMEM|CANTOPEN|BUSY|LOCKED|PROTOCOL)/;

/**
 * Groups the writes of consecutive pages into one transaction for up to `maxMs`, so a full pull
 * commits a few times a second instead of once per page (each commit rewrites every B-tree page it
 * touched into the WAL). Every page is still applied as a unit (a savepoint inside the batch), and
 * every page carries its own resume link, so whatever a crash cuts off, the last commit is a
 * consistent state to go on from; at most `maxMs` of work is read again.
 *
 * A failed COMMIT (or a write after which the batch's transaction is gone) breaks the batch for
 * good: it is rolled back and every later write or commit throws the same DatabaseError, so no
 * collection can go on to commit a resume link past pages that were never committed. The run
 * treats that error as fatal for every collection.
 */
export class WriteBatch {
  private began = 0;
  private broken?: DatabaseError;

  constructor(
    private readonly db: Db,
    private readonly maxMs = 0,
    private readonly now: () => number = Date.now,
  ) {}

  /** The error that broke the batch, if one did. */
  get failure(): DatabaseError | undefined {
    return this.broken;
  }

  /** Runs fn as one unit inside the open batch (opening one when none is). */
  write<T>(fn: () => T): T {
    if (this.broken) throw this.broken;
    if (!this.db.inTransaction) {
      try {
        this.db.exec('BEGIN IMMEDIATE');
      } catch (cause) {
        throw this.fail('DB_WRITE_FAILED', 'could not start a transaction', cause);
      }
      this.began = this.now();
    }
    try {
      return this.db.transaction(fn)();
    } catch (error) {
      // The unit's savepoint was rolled back. If the whole batch went with it (SQLite rolls back on
      // some errors), or the storage itself failed, earlier pages of every collection are lost too.
      if (!this.db.inTransaction || isStorageFailure(error)) throw this.fail('DB_WRITE_FAILED', 'a write failed', error);
      throw error;
    }
  }

  /** Commits when the batch is older than maxMs (always, when maxMs is 0). */
  maybeCommit(): void {
    if (this.db.inTransaction && this.now() - this.began >= this.maxMs) this.commit();
  }

  commit(): void {
    if (this.broken) throw this.broken;
    if (!this.db.inTransaction) return;
    try {
      this.db.exec('COMMIT');
    } catch (cause) {
      throw this.fail('DB_COMMIT_FAILED', 'COMMIT failed', cause);
    }
  }

  private fail(code: string, what: string, cause: unknown): DatabaseError {
    if (this.db.inTransaction) {
      try {
        this.db.exec('ROLLBACK');
      } catch {
        // the connection is gone: nothing of the batch was committed either way
      }
    }
    this.broken = new DatabaseError(code, `The database write failed (${what}: ${(cause as Error)?.message ?? String(cause)}); nothing since the last commit was kept`, {
      cause,
      suggestion: 'Check free disk space and that nothing else writes to the database file, then run the pull again: it resumes from the last commit.',
    });
    return this.broken;
  }
}

function isStorageFailure(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' && STORAGE_FAILURES.test(code);
}
