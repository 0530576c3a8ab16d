import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src/store/index.js';
import { buildFixtureDb, FIXTURE_TENANT } from './fixture-tenant.js';
import { runExportCli } from './support.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ee-cmd-'));
});

const fixture = (extra?: (db: Db) => void) => {
  const db = join(dir, 'fixture.db');
  buildFixtureDb(db, extra);
  return db;
};

/** Run 3: groups failed, everything else succeeded. */
const partialRun = (db: Db) => {
  db.prepare("INSERT INTO runs (id, command, started_at, ended_at, outcome, error) VALUES (3, 'pull', '2024-03-01T00:00:00.000Z', '2024-03-01T00:10:00.000Z', 'partial', NULL)").run();
  const rc = db.prepare("INSERT INTO run_collections (run_id, collection, mode, outcome, started_at, ended_at, error) VALUES (3, ?, 'delta', ?, '2024-03-01T00:00:00.000Z', '2024-03-01T00:05:00.000Z', ?)");
  rc.run('users', 'success', null);
  rc.run('groups', 'failed', 'Graph answered 503 five times');
  rc.run('signIns', 'skipped', 'the tenant has no Entra ID P1/P2');
};

describe('entra-extract export', () => {
  it('exit 0: writes the files and says what it wrote; --db or ENTRA_DB', async () => {
    const db = fixture();
    const r = await runExportCli(['--db', db, '--out', 'export'], {}, dir);
    expect(r.exit, r.stderr).toBe(0);
    expect(readdirSync(join(dir, 'export')).sort()).toEqual(['entities.csv', 'entity_relations.csv']);
    expect(r.stdout).toMatch(/Exported balkanid from .*fixture\.db \(tenant 11111111-1111-4111-8111-111111111111\) to .*export/);
    expect(r.stdout).toMatch(/entities\.csv\s+24 rows/);
    expect(r.stdout).toMatch(/entity_relations\.csv\s+26 rows/);
    expect(r.stdout).toContain('memberOf device→group');
    expect(r.stdout).toContain('Data as of run #2 (pull, success');
    expect(r.stderr).toBe('');
    const env = await runExportCli(['--out', join(dir, 'flat'), '--format', 'flat'], { ENTRA_DB: db });
    expect(env.exit, env.stderr).toBe(0);
    expect(readdirSync(join(dir, 'flat'))).toEqual(['access.csv']);
  });

  it('--json prints the files, rows per file, rows left out and the run the data comes from', async () => {
    const db = fixture();
    const r = await runExportCli(['--db', db, '--out', join(dir, 'x'), '--json']);
    expect(r.exit).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({
      ok: true, exitCode: 0, format: 'balkanid', tenantId: FIXTURE_TENANT, out: join(dir, 'x'),
      files: [{ file: 'entities.csv', rows: 24 }, { file: 'entity_relations.csv', rows: 26 }],
      leftOut: { rows: 2, byReason: { 'memberOf device→administrativeUnit: an end with no entity in entities.csv': 1, 'memberOf device→group: an end with no entity in entities.csv': 1 } },
      run: { id: 2, command: 'pull', outcome: 'success', startedAt: '2024-02-01T00:00:00.000Z', endedAt: '2024-02-01T00:10:00.000Z' },
      stale: [], inProgress: null,
    });
    expect(report.details.entities.user).toBe(4);
    expect(report.files[0].bytes).toBeGreaterThan(0);
  });

  it('a partial last pull: a warning naming the stale collection and exit 0; --strict exits 3 with the files written', async () => {
    const db = fixture(partialRun);
    const r = await runExportCli(['--db', db, '--out', join(dir, 'a')]);
    expect(r.exit).toBe(0);
    expect(r.stderr).toContain('warning: stale data: groups: its last pull (run #3) failed: Graph answered 503 five times; its data is from run #2 (completed 2024-02-01T00:05:00.000Z)');
    expect(r.stderr).not.toContain('users:');
    expect(r.stdout).toContain('Skipped by their last pull');
    const strict = await runExportCli(['--db', db, '--out', join(dir, 'b'), '--strict', '--json']);
    expect(strict.exit).toBe(3);
    expect(existsSync(join(dir, 'b', 'entities.csv'))).toBe(true);
    const report = JSON.parse(strict.stdout);
    expect(report).toMatchObject({ ok: false, exitCode: 3, run: { id: 3, outcome: 'partial' }, skipped: ['signIns'] });
    expect(report.stale).toEqual([{ collection: 'groups', lastAttempt: { run: 3, outcome: 'failed', error: 'Graph answered 503 five times' }, lastSuccessRun: 2, lastSuccessAt: '2024-02-01T00:05:00.000Z' }]);
  });

  it('a last pull that failed before any collection: every collection is older than it; a run still going is named', async () => {
    const db = fixture((d) => {
      d.prepare("INSERT INTO runs (id, command, started_at, ended_at, outcome, error) VALUES (3, 'pull', '2024-03-01T00:00:00.000Z', '2024-03-01T00:00:01.000Z', 'failed', 'AUTH_INVALID_SECRET')").run();
      d.prepare("INSERT INTO runs (id, command, started_at, outcome) VALUES (4, 'pull', '2024-03-02T00:00:00.000Z', 'running')").run();
    });
    const r = await runExportCli(['--db', db, '--out', join(dir, 'a'), '--strict', '--json']);
    expect(r.exit).toBe(3);
    const report = JSON.parse(r.stdout);
    expect(report.stale).toHaveLength(11);
    expect(report.stale[0].lastAttempt).toEqual({ run: 3, outcome: 'failed', error: 'AUTH_INVALID_SECRET' });
    expect(report.inProgress).toMatchObject({ id: 4, outcome: 'running' });
    expect(r.stderr).toContain('run #4 (started 2024-03-02T00:00:00.000Z) was still running');
  });

  it('exit 1: no database, a database that never completed a pull, one with no object; nothing is written', async () => {
    const missing = await runExportCli(['--db', join(dir, 'none.db'), '--out', join(dir, 'o')]);
    expect(missing.exit).toBe(1);
    expect(missing.stderr).toContain('No database at');

    const empty = join(dir, 'empty.db');
    openDatabase(empty).close();
    const never = await runExportCli(['--db', empty, '--out', join(dir, 'o'), '--json']);
    expect(never.exit).toBe(1);
    expect(never.stderr).toContain('error: The database never completed a pull');
    expect(JSON.parse(never.stdout)).toMatchObject({ ok: false, error: { code: 'EXPORT_NO_PULL' } });

    const failed = join(dir, 'failed.db');
    const f = openDatabase(failed);
    f.prepare("INSERT INTO runs (command, started_at, ended_at, outcome) VALUES ('pull', '2024-01-01T00:00:00Z', '2024-01-01T00:00:01Z', 'failed')").run();
    f.close();
    expect((await runExportCli(['--db', failed, '--out', join(dir, 'o')])).exit).toBe(1);

    const nothing = join(dir, 'nothing.db');
    const n = openDatabase(nothing);
    n.prepare("INSERT INTO runs (command, started_at, ended_at, outcome) VALUES ('pull', '2024-01-01T00:00:00Z', '2024-01-01T00:00:01Z', 'success')").run();
    n.close();
    const none = await runExportCli(['--db', nothing, '--out', join(dir, 'o')]);
    expect(none.exit).toBe(1);
    expect(none.stderr).toContain('holds no directory object');
    expect(existsSync(join(dir, 'o'))).toBe(false);
  });

  it('exit 1 when --out is refused or cannot be written; the foreign folder is left as it was', async () => {
    const db = fixture();
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    const refused = await runExportCli(['--db', db, '--out', dir]);
    expect(refused.exit).toBe(1);
    expect(refused.stderr).toContain('is not an export folder: it holds files an export does not write');
    expect(readdirSync(dir).filter((f) => !f.startsWith('fixture.db')).sort()).toEqual(['notes.txt']);
    const blocked = await runExportCli(['--db', db, '--out', join(dir, 'notes.txt', 'export'), '--json']);
    expect(blocked.exit).toBe(1);
    expect(JSON.parse(blocked.stdout)).toMatchObject({ ok: false, error: { code: 'EXPORT_WRITE_FAILED' } });
  });

  it('exit 2: no --out, an unknown --format', async () => {
    const db = fixture();
    const noOut = await runExportCli(['--db', db]);
    expect(noOut.exit).toBe(2);
    expect(noOut.stderr).toContain("required option '--out <dir>' not specified");
    const bad = await runExportCli(['--db', db, '--out', join(dir, 'o'), '--format', 'xlsx']);
    expect(bad.exit).toBe(2);
    expect(bad.stderr).toContain('Allowed choices are balkanid, flat');
  });

  it('--help lists the options and the exit codes', async () => {
    const r = await runExportCli(['--help']);
    expect(r.exit).toBe(0);
    for (const s of ['--out <dir>', '--format <format>', '--db <path>', '--strict', '--json', '3  (--strict)']) expect(r.stdout).toContain(s);
  });
});
