import { statSync } from 'node:fs';
import { dirname } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { captureIo, cliArgv } from '../support/cli-capture.js';
import { createSimWorld, type SimWorld } from '../support/sim-world.js';
import { dbFile, entityRow, expectTruth, liveGroups, liveUsers, pull, readDb, relationRows, writeDb } from '../support/integration-helpers.js';

/**
 * `prune` on a database a real pull built (in-process simulation), with old history planted in it:
 * the live directory is exactly as before, soft-deleted objects and their links stay, history
 * removed more recently than --changes-days stays, the rest goes, and the file shrinks.
 */
let world: SimWorld;
afterEach(() => world?.close());

const OLD = '2020-01-01T00:00:00.000Z';

async function prune(path: string, ...args: string[]) {
  const c = captureIo({}, { cwd: dirname(path) });
  const code = await main(cliArgv('prune', '--db', path, ...args), c.io);
  return { code, stdout: c.stdout(), stderr: c.stderr() };
}

const size = (path: string) => statSync(path).size + (() => { try { return statSync(`${path}-wal`).size; } catch { return 0; } })();

describe('prune on a pulled database', () => {
  it('keeps the live directory, soft-deleted objects and recent history; removes old history; the file shrinks', async () => {
    world = createSimWorld({ tenant: { users: 80, groups: 10, memberships: 300 } });
    const t = world.tenant;
    const path = dbFile();
    expect((await pull(world, path)).outcome).toBe('success');

    // Removals the pulls record for real: a soft delete (links kept), permanent deletes (links removed).
    const [soft, goneOld, goneRecent] = liveUsers(t).filter((u) => [...t.groups.values()].some((g) => g.members.has(u))) as [string, string, string];
    const oldGroup = liveGroups(t).find((g) => t.groups.get(g)!.members.size > 0)!;
    t.softDeleteUser(soft);
    t.hardDeleteUser(goneOld);
    t.hardDeleteUser(goneRecent);
    t.hardDeleteGroup(oldGroup);
    expect((await pull(world, path)).outcome).toBe('success');
    expect((await pull(world, path)).outcome).toBe('success');

    // Make some of that history old, and plant a long tail of old changes (what years of pulls leave).
    writeDb(path, (db) => {
      db.prepare("UPDATE entities SET deleted_at = ? WHERE id IN (?, ?, ?)").run(OLD, soft, goneOld, oldGroup);
      db.prepare('UPDATE entity_relations SET deleted_at = ? WHERE deleted_at IS NOT NULL AND (source_id IN (?, ?) OR target_id IN (?, ?))').run(OLD, goneOld, oldGroup, goneOld, oldGroup);
      const add = db.prepare("INSERT INTO changes (run_id, at, kind, entity_type, entity_id, properties) VALUES (1, ?, 'changed', 'user', ?, ?)");
      db.transaction(() => {
        for (let i = 0; i < 20_000; i++) add.run(OLD, `old-${i}`, JSON.stringify({ jobTitle: ['x'.repeat(100), 'y'.repeat(100)] }));
      })();
      db.pragma('wal_checkpoint(TRUNCATE)');
    });
    const softLinks = relationRows(path, { source_id: soft }).filter((r) => r.deleted_at === null).length;
    expect(softLinks).toBeGreaterThan(0);
    const recentRemovedLinks = readDb(path, (db) => db.prepare('SELECT COUNT(*) FROM entity_relations WHERE deleted_at IS NOT NULL AND deleted_at > ?').pluck().get(OLD)) as number;
    expect(recentRemovedLinks).toBeGreaterThan(0);
    const recentChanges = readDb(path, (db) => db.prepare('SELECT COUNT(*) FROM changes WHERE at > ?').pluck().get(OLD)) as number;
    const before = size(path);

    const r = await prune(path, '--json', '--keep-runs', '2');
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { ok: boolean; removed: Record<string, unknown>; bytes: { before: number; after: number } };
    expect(report.ok).toBe(true);
    expect(report.removed).toMatchObject({ runs: 1, runCollections: 2, changes: 20_000, entities: 2, signIns: 0 });
    expect(report.removed.entityRelations).toBeGreaterThan(0);
    expect(report.bytes.before).toBe(before);
    expect(report.bytes.after).toBe(size(path));
    expect(report.bytes.after).toBeLessThan(before * 0.6);

    // The live directory and effective access are exactly the tenant's.
    expectTruth(path, t);
    // The soft-deleted user stays, however old, with its links (back with it on restore).
    expect(entityRow(path, 'user', soft)?.deleted_kind).toBe('soft');
    expect(relationRows(path, { source_id: soft }).filter((x) => x.deleted_at === null)).toHaveLength(softLinks);
    // Old permanent deletes are gone; the recent one, and its removed links, stay.
    expect(entityRow(path, 'user', goneOld)).toBeUndefined();
    expect(entityRow(path, 'group', oldGroup)).toBeUndefined();
    expect(entityRow(path, 'user', goneRecent)?.deleted_kind).toBe('permanent');
    expect(readDb(path, (db) => db.prepare('SELECT COUNT(*) FROM entity_relations WHERE deleted_at IS NOT NULL AND deleted_at > ?').pluck().get(OLD))).toBe(recentRemovedLinks);
    expect(readDb(path, (db) => db.prepare('SELECT COUNT(*) FROM changes').pluck().get())).toBe(recentChanges);
    expect(readDb(path, (db) => db.prepare('SELECT id FROM runs ORDER BY id').pluck().all())).toEqual([2, 3]);

    // Pulls carry on as before.
    t.randomChanges(0.05, 77);
    expect((await pull(world, path)).outcome).toBe('success');
    expectTruth(path, t);

    // The text form says what went and the sizes.
    const text = await prune(path);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^ {2}runs +0 {2}\(0 run_collections rows; the newest 1,000 runs kept\)$/m);
    expect(text.stdout).toMatch(/^File size [\d.]+ MB before, [\d.]+ MB after VACUUM\.$/m);
    expect(text.stdout).toMatch(/^ {2}sign-ins +0 {2}\(older than 90 days\)$/m);
  });
});
