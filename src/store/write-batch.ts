import type { Db } from './sqlite.js';

/**
 * Groups the writes of consecutive pages into one transaction for up to `maxMs`, so a full pull
 * commits a few times a second instead of once per page (each commit rewrites every B-tree page it
 * touched into the WAL). Every page is still applied as a unit (a savepoint inside the batch), and
 * every page carries its own resume link, so whatever a crash cuts off, the last commit is a
 * consistent state to go on from; at most `maxMs` of work is read again.
 */
export class WriteBatch {
  private began = 0;

  constructor(
    private readonly db: Db,
    private readonly maxMs = 0,
    private readonly now: () => number = Date.now,
  ) {}

  /** Runs fn as one unit inside the open batch (opening one when none is). */
  write<T>(fn: () => T): T {
    if (!this.db.inTransaction) {
      this.db.exec('BEGIN IMMEDIATE');
      this.began = this.now();
    }
    return this.db.transaction(fn)();
  }

  /** Commits when the batch is older than maxMs (always, when maxMs is 0). */
  maybeCommit(): void {
    if (this.db.inTransaction && this.now() - this.began >= this.maxMs) this.db.exec('COMMIT');
  }

  commit(): void {
    if (this.db.inTransaction) this.db.exec('COMMIT');
  }
}
