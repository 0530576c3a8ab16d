import Database from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createSimWorld, type SimWorld } from '../support/sim-world.js';
import { dbFile, expectTruth, pull, readDb, state } from '../support/integration-helpers.js';
import { DatabaseError } from '../../src/errors/index.js';

/**
 * One failure does not corrupt the others: a COMMIT that fails (disk full, I/O error) loses every
 * collection's uncommitted pages at once, so the whole run stops with exit 1 (a DatabaseError), no
 * collection goes on to commit a resume link past pages that were never committed, and the run is
 * not left 'running'. The next pull then completes from what was committed.
 */
let world: SimWorld;
afterEach(() => {
  vi.restoreAllMocks();
  world?.close();
});

/** Makes the nth COMMIT on any connection fail as an I/O error would (the driver's exec is the one path to COMMIT). */
function failCommit(nth: number): { failed: () => boolean } {
  let commits = 0;
  let failed = false;
  const real = Database.prototype.exec;
  vi.spyOn(Database.prototype, 'exec').mockImplementation(function (this: Database.Database, sql: string) {
    if (sql === 'COMMIT' && ++commits === nth) {
      failed = true;
      throw Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR_WRITE' });
    }
    return real.call(this, sql);
  });
  return { failed: () => failed };
}

describe('a failed COMMIT', () => {
  for (const nth of [1, 3, 6]) {
    it(`(commit ${nth} of a pull) fails the whole run at once, leaves it recorded failed, and the next pull completes`, async () => {
      world = createSimWorld({ graph: { userPageUnits: [8, 16], groupPageUnits: [20, 60] } });
      const path = dbFile();
      expect((await pull(world, path)).outcome).toBe('success');
      world.tenant.randomChanges(0.3, 77);

      const injected = failCommit(nth);
      // commitEveryMs 0: a commit per page, so the nth commit falls in the middle of both rounds.
      const error = await pull(world, path, { commitEveryMs: 0 }).then(() => undefined, (e: unknown) => e);
      vi.restoreAllMocks();
      expect(injected.failed()).toBe(true);
      expect(error).toBeInstanceOf(DatabaseError);
      expect((error as DatabaseError).code).toBe('DB_COMMIT_FAILED');
      expect((error as DatabaseError).message).toMatch(/disk I\/O error/);

      const runs = readDb(path, (db) => db.prepare('SELECT outcome FROM runs ORDER BY id').pluck().all());
      expect(runs).toEqual(['success', 'failed']);
      expect(readDb(path, (db) => db.prepare("SELECT COUNT(*) FROM run_collections WHERE outcome = 'running'").pluck().get())).toBe(0);
      // Every resume link saved points at a page whose predecessors are committed: the next pull
      // (resuming those rounds) ends equal to the tenant, which it could not if pages were skipped.
      expect(state(path).entities.length).toBeGreaterThan(0);
      const next = await pull(world, path);
      expect(next.outcome).toBe('success');
      expectTruth(path, world.tenant);
    });
  }
});
