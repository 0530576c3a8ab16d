import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backupDatabase, openDatabase } from '../../src/store/index.js';
import { liveState, createSimWorld, type SimWorld } from '../support/sim-world.js';
import { pull, readDb, state } from '../support/integration-helpers.js';

/**
 * backup: a verified, standalone, owner-only copy taken from one read snapshot, while another
 * connection keeps writing.
 */
let world: SimWorld;
let source: string;
const dir = mkdtempSync(join(tmpdir(), 'ee-backup-'));

beforeAll(async () => {
  world = createSimWorld({ tenant: { users: 60, groups: 8, memberships: 200 } });
  source = join(dir, 'entra.db');
  expect((await pull(world, source)).outcome).toBe('success');
});
afterAll(() => world?.close());

const sidecars = (path: string) => ['-wal', '-shm', '-journal'].filter((s) => existsSync(path + s));

describe('backupDatabase', () => {
  it('writes a standalone 0600 copy that passes integrity_check and holds what the database holds', async () => {
    const out = join(dir, 'copy.db');
    const r = await backupDatabase(source, out);
    expect(r.integrity).toBe('ok');
    expect(r.counts).toEqual(r.sourceCounts);
    expect(r.counts.entities).toBe(readDb(source, (db) => db.prepare('SELECT COUNT(*) FROM entities').pluck().get()));
    expect(r.counts.changes).toBeGreaterThan(0);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect(sidecars(out)).toEqual([]);
    // It opens as an entra-extract database, read-only, with no -wal beside it.
    openDatabase(out, { readonly: true }).close();
    expect(sidecars(out)).toEqual([]);
    expect(state(out)).toEqual(state(source));
    expect(readDb(out, (db) => db.pragma('journal_mode', { simple: true }))).toBe('delete');
  });

  it('refuses to overwrite an existing file, and replaces it with force', async () => {
    const out = join(dir, 'taken.db');
    writeFileSync(out, 'precious');
    await expect(backupDatabase(source, out)).rejects.toMatchObject({ code: 'BACKUP_EXISTS' });
    expect(readFileSync(out, 'utf8')).toBe('precious');
    const r = await backupDatabase(source, out, { force: true });
    expect(r.integrity).toBe('ok');
    expect(statSync(out).mode & 0o777).toBe(0o600);
    await expect(backupDatabase(source, source, { force: true })).rejects.toMatchObject({ code: 'BACKUP_SAME_FILE' });
  });

  it('copies one snapshot while another connection keeps committing', async () => {
    const path = join(dir, 'busy.db');
    const writer = openDatabase(path);
    const add = writer.prepare("INSERT INTO entities (entity_type, id, data) VALUES ('user', ?, ?)");
    writer.transaction(() => {
      for (let i = 0; i < 3000; i++) add.run(`seed-${i}`, JSON.stringify({ pad: 'x'.repeat(200) }));
    })();
    // Commit a row (and a change) on every turn of the event loop while the backup copies a few pages per step.
    let i = 0;
    let running = true;
    const tick = () => {
      if (!running) return;
      writer.transaction(() => {
        add.run(`during-${i}`, '{}');
        writer.prepare("INSERT INTO changes (run_id, at, kind, entity_type, entity_id) VALUES (1, ?, 'created', 'user', ?)").run(new Date().toISOString(), `during-${i++}`);
      })();
      setImmediate(tick);
    };
    setImmediate(tick);
    const out = join(dir, 'busy-copy.db');
    let r;
    try {
      r = await backupDatabase(path, out, { pagesPerStep: 2 });
    } finally {
      running = false;
    }
    const final = writer.prepare('SELECT COUNT(*) FROM entities').pluck().get() as number;
    writer.close();
    expect(i).toBeGreaterThan(5); // the writer did commit while the copy was taken
    expect(r.integrity).toBe('ok');
    expect(r.counts).toEqual(r.sourceCounts);
    expect(r.counts.entities).toBeLessThan(final);
    // Entities and changes were written together: a consistent copy has as many of one as of the other.
    expect(r.counts.changes).toBe(r.counts.entities! - 3000);
    expect(readDb(out, liveState).entities.length).toBe(r.counts.entities);
  });
});
