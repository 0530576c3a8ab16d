import { afterEach, describe, expect, it } from 'vitest';
import { createSimWorld, type SimWorld } from '../support/sim-world.js';
import { dbFile, expectTruth, liveUsers, pull, readDb, writeDb } from '../support/integration-helpers.js';
import { readStatus } from '../../src/pull/read-status.js';
import { formatStatus } from '../../src/cli/status-command.js';

/**
 * Delta is known to miss some changes (manager changes, replication delays, restores under $select):
 * a collection whose last complete full round is older than --full-every reconciles with a full round.
 */
let world: SimWorld;
afterEach(() => world?.close());

const DAY = 86_400_000;
const ageFullRounds = (path: string, days: number) =>
  writeDb(path, (db) => db.prepare('UPDATE sync_state SET last_full_at = ?').run(new Date(Date.now() - days * DAY).toISOString()));

describe('--full-every', () => {
  it('runs a full round on its own when the last one is older, which repairs what delta missed; younger ones stay delta', async () => {
    world = createSimWorld();
    const path = dbFile();
    expect((await pull(world, path)).outcome).toBe('success');
    // Something delta never reported: the database holds a stale title (as if a change was missed).
    const u = liveUsers(world.tenant)[3]!;
    writeDb(path, (db) => db.prepare("UPDATE entities SET data = json_set(data, '$.jobTitle', 'Stale Title') WHERE id = ?").run(u));

    ageFullRounds(path, 6);
    const young = await pull(world, path, { fullEveryDays: 7 });
    expect([young.collections.users!.mode, young.collections.groups!.mode]).toEqual(['delta', 'delta']);
    expect(readDb(path, (db) => db.prepare("SELECT data ->> '$.jobTitle' FROM entities WHERE id = ?").pluck().get(u))).toBe('Stale Title');

    ageFullRounds(path, 8);
    const due = await pull(world, path); // default --full-every 7
    expect(due.outcome).toBe('success');
    expect([due.collections.users!.mode, due.collections.groups!.mode]).toEqual(['full', 'full']);
    expect(due.collections.users!.fullReason).toMatch(/scheduled reconciliation/);
    expect(readDb(path, (db) => db.prepare('SELECT full_reason FROM run_collections WHERE run_id = ? ORDER BY collection').pluck().all(due.runId)))
      .toEqual([expect.stringMatching(/scheduled/), expect.stringMatching(/scheduled/)]);
    expectTruth(path, world.tenant); // the stale title is gone

    // The full round reset the clock: the next pull is delta again.
    const next = await pull(world, path);
    expect([next.collections.users!.mode, next.collections.groups!.mode]).toEqual(['delta', 'delta']);
  });

  it('--full-every 0 never schedules a full round', async () => {
    world = createSimWorld();
    const path = dbFile();
    await pull(world, path);
    ageFullRounds(path, 365);
    const r = await pull(world, path, { fullEveryDays: 0 });
    expect([r.collections.users!.mode, r.collections.groups!.mode]).toEqual(['delta', 'delta']);
  });

  it('status shows the age of the last full round per collection', async () => {
    world = createSimWorld();
    const path = dbFile();
    await pull(world, path);
    ageFullRounds(path, 3);
    const report = readStatus(path);
    for (const s of report.syncState) expect(Math.round(s.lastFullAgeSeconds! / 86400)).toBe(3);
    expect(formatStatus(report)).toMatch(/users .*last full round 3 days ago/);
  });
});
