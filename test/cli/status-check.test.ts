import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { captureIo, cliArgv } from '../support/cli-capture.js';
import { openDatabase } from '../../src/store/index.js';
import { createSimWorld, type SimWorld } from '../support/sim-world.js';
import { pull, writeDb } from '../support/integration-helpers.js';
import { COLLECTION_NAMES } from '../../connectors/index.js';

/** The collections this pull did not ask for: named once, not judged. */
const OTHERS = COLLECTION_NAMES.filter((c) => c !== 'users' && c !== 'groups');

/**
 * `status --check` for monitoring: exit 0 when every collection this version pulls had a complete
 * pull within --max-age, 6 when one is stale, failed last time, or never completed; one line per
 * collection after an OK:/STALE: verdict, or the JSON object.
 */
let world: SimWorld;
let pulled: string; // a database after one successful pull of users and groups; each test copies it
const dir = mkdtempSync(join(tmpdir(), 'ee-check-'));

beforeAll(async () => {
  world = createSimWorld({ tenant: { users: 40, groups: 6, memberships: 100 } });
  pulled = join(dir, 'pulled.db');
  const r = await pull(world, pulled);
  expect(r.outcome).toBe('success');
  writeDb(pulled, (db) => db.pragma('wal_checkpoint(TRUNCATE)'));
});
afterAll(() => world?.close());

let n = 0;
function copy(): string {
  const path = join(dir, `copy-${++n}.db`);
  copyFileSync(pulled, path);
  return path;
}

async function check(...args: string[]) {
  const c = captureIo({}, { cwd: dir }); // no credentials: status needs none
  const code = await main(cliArgv('status', '--check', ...args), c.io);
  return { code, stdout: c.stdout(), stderr: c.stderr(), lines: c.stdout().trimEnd().split('\n') };
}

interface CheckJson {
  ok: boolean;
  maxAgeSeconds: number;
  collections: { collection: string; status: string; lastSuccessAt: string | null; ageSeconds: number | null; lastOutcome: string | null; error: string | null }[];
}

describe('status --check', () => {
  it('fresh: exit 0, OK first, one ok line per collection; the JSON says the same', async () => {
    const db = copy();
    const r = await check('--db', db);
    expect(r.code, r.stderr).toBe(0);
    expect(r.lines[0]).toBe('OK: all 2 collections pulled within 26h');
    expect(r.lines.slice(1)).toEqual([
      expect.stringMatching(/^users: ok, last complete pull \d{4}-\d\d-\d\dT[\d:.]+Z \(\d+ s ago\)$/),
      expect.stringMatching(/^groups: ok, last complete pull .*Z \(\d+ s ago\)$/),
      `not pulled by any run, not judged: ${OTHERS.join(', ')}`,
    ]);

    const j = await check('--db', db, '--json', '--max-age', '90m');
    expect(j.code).toBe(0);
    const report = JSON.parse(j.stdout) as CheckJson;
    expect(report).toMatchObject({ ok: true, maxAgeSeconds: 5400 });
    expect(report.collections.map((c) => [c.collection, c.status, c.lastOutcome, c.error])).toEqual([
      ['users', 'ok', 'success', null],
      ['groups', 'ok', 'success', null],
      ...OTHERS.map((c) => [c, 'unused', null, null]),
    ]);
    for (const c of report.collections.slice(0, 2)) {
      expect(c.ageSeconds).toBeGreaterThanOrEqual(0);
      expect(c.ageSeconds).toBeLessThan(60);
      expect(Date.parse(c.lastSuccessAt!)).toBeGreaterThan(Date.now() - 60_000);
    }
  });

  it('stale: a collection whose last complete pull is older than --max-age exits 6 naming it', async () => {
    const db = copy();
    const old = new Date(Date.now() - 30 * 3600_000).toISOString();
    writeDb(db, (d) => d.prepare("UPDATE run_collections SET ended_at = ? WHERE collection = 'groups'").run(old));
    const r = await check('--db', db);
    expect(r.code).toBe(6);
    expect(r.lines[0]).toBe('STALE: groups stale (max age 26h)');
    expect(r.lines[1]).toMatch(/^users: ok, /);
    expect(r.lines[2]).toBe(`groups: stale, last complete pull ${old} (30 h ago), older than 26h`);
    // A longer --max-age (in seconds) accepts it.
    expect((await check('--db', db, '--max-age', String(31 * 3600))).code).toBe(0);

    const report = JSON.parse((await check('--db', db, '--json')).stdout) as CheckJson;
    expect(report.ok).toBe(false);
    expect(report.maxAgeSeconds).toBe(26 * 3600);
    expect(report.collections[1]).toMatchObject({ collection: 'groups', status: 'stale', lastSuccessAt: old, lastOutcome: 'success', error: null });
    expect(report.collections[1]!.ageSeconds).toBeGreaterThanOrEqual(30 * 3600);
  });

  it('failed last time: exit 6 with the error, even though the last success is recent', async () => {
    const db = copy();
    writeDb(db, (d) => {
      const at = new Date().toISOString();
      const run = d.prepare("INSERT INTO runs (command, started_at, ended_at, outcome) VALUES ('pull', ?, ?, 'partial')").run(at, at).lastInsertRowid;
      d.prepare("INSERT INTO run_collections (run_id, collection, mode, outcome, started_at, ended_at, error) VALUES (?, 'users', 'delta', 'success', ?, ?, NULL)").run(run, at, at);
      d.prepare("INSERT INTO run_collections (run_id, collection, mode, outcome, started_at, ended_at, error) VALUES (?, 'groups', 'delta', 'failed', ?, ?, 'Insufficient privileges')").run(run, at, at);
    });
    const r = await check('--db', db);
    expect(r.code).toBe(6);
    expect(r.lines[0]).toBe('STALE: groups failed (max age 26h)');
    expect(r.lines[2]).toMatch(/^groups: failed, last attempt failed: Insufficient privileges; last complete pull .*Z \(\d+ s ago\)$/);
    const report = JSON.parse((await check('--db', db, '--json')).stdout) as CheckJson;
    expect(report.collections[1]).toMatchObject({ status: 'failed', lastOutcome: 'failed', error: 'Insufficient privileges' });
    expect(report.collections[1]!.lastSuccessAt).not.toBeNull();
  });

  it('a round still running is not an attempt: the last finished one decides', async () => {
    const db = copy();
    writeDb(db, (d) => {
      const at = new Date().toISOString();
      const run = d.prepare("INSERT INTO runs (command, started_at) VALUES ('pull', ?)").run(at).lastInsertRowid;
      d.prepare("INSERT INTO run_collections (run_id, collection, mode, started_at) VALUES (?, 'groups', 'delta', ?)").run(run, at);
    });
    expect((await check('--db', db)).code).toBe(0);
    const report = JSON.parse((await check('--db', db, '--json')).stdout) as CheckJson;
    expect(report.collections[1]).toMatchObject({ collection: 'groups', status: 'ok', lastOutcome: 'success' });
  });

  it('never pulled: exit 6, every collection "never"', async () => {
    const db = join(dir, 'empty.db');
    openDatabase(db).close();
    const r = await check('--db', db);
    expect(r.code).toBe(6);
    // No run at all: every collection is an alarm (a schedule that never ran, or a wrong --db).
    expect(r.lines).toEqual([
      `STALE: ${COLLECTION_NAMES.map((c) => `${c} never`).join(', ')} (max age 26h)`,
      ...COLLECTION_NAMES.map((c) => `${c}: never, never pulled`),
    ]);
    const report = JSON.parse((await check('--db', db, '--json')).stdout) as CheckJson;
    expect(report.collections).toEqual(
      COLLECTION_NAMES.map((collection) => ({ collection, status: 'never', lastSuccessAt: null, ageSeconds: null, lastOutcome: null, error: null })),
    );
  });

  it('no database: exit 1 as before; --max-age without --check is a usage error', async () => {
    const r = await check('--db', join(dir, 'missing.db'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/No database at/);
    expect(await main(cliArgv('status', '--db', copy(), '--max-age', '1h'), captureIo({}, { cwd: dir }).io)).toBe(2);
    expect((await check('--db', copy(), '--max-age', '26x')).code).toBe(2);
  });
});
