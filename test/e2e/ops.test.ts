/**
 * Operations through the built CLI, as a scheduler runs it: a pull or prune that finds another run
 * holding the database exits 5 at once with one line and sends nothing to Graph; a backup taken
 * while a pull writes is a consistent, owner-only, standalone database the next pull resumes from;
 * `pull --prune` prunes after a successful pull only.
 */
import { copyFileSync, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/index.js';
import {
  dbState,
  gate,
  runCli,
  runsOf,
  startCli,
  startWorld,
  tempDir,
  truthState,
  withDb,
  type World,
} from './support.js';

const worlds: World[] = [];
let world: World;

beforeAll(async () => {
  world = await startWorld();
  worlds.push(world);
});
afterAll(async () => {
  await Promise.all(worlds.map((w) => w.close()));
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const lines = (s: string) => s.split('\n').filter((l) => l.trim() !== '');

describe('another run holds the database', () => {
  it('a second pull, and a prune, exit 5 at once with one line on stderr and no request to Graph; the first pull finishes', async () => {
    const dir = tempDir();
    const db = join(dir, 'entra.db');
    const release = gate();
    const start = world.graphRequests;
    let held = 0;
    // From its third Graph request on, the first pull waits: every collection ends up parked here.
    world.before = async (_req, n) => {
      if (n - start < 3) return;
      held++;
      await release.promise;
    };
    try {
      const first = startCli(['pull', '--db', db], { env: world.env(), cwd: dir });
      for (let t = 0; held < 2; t++) {
        if (t > 400) throw new Error(`the first pull did not reach the gate: ${held} held`);
        await sleep(25);
      }
      const startup = (await runCli(['--version'], { env: world.env(), cwd: dir })).ms;
      const graphBefore = world.graphRequests;
      const tokensBefore = world.tokenRequests;

      const second = await runCli(['pull', '--db', db], { env: world.env(), cwd: dir });
      expect(second.code, second.stderr).toBe(5);
      expect(second.ms).toBeLessThan(startup + 1000);
      const [line, ...more] = lines(second.stderr);
      expect(more).toEqual([]);
      expect(line).toBe(`entra-extract: another run is using ${db} (pid ${first.child.pid} since ${/since (\S+)\)/.exec(line!)?.[1]}); nothing done`);
      expect(line).toMatch(/ since \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\)/);
      expect(second.stdout).toBe('');

      const json = await runCli(['pull', '--db', db, '--json'], { env: world.env(), cwd: dir });
      expect(json.code).toBe(5);
      expect(lines(json.stderr)).toHaveLength(1);
      expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, error: { code: 'DB_LOCKED', message: expect.stringContaining(db) } });

      const prune = await runCli(['prune', '--db', db], { env: {}, cwd: dir });
      expect(prune.code, prune.stderr).toBe(5);
      expect(lines(prune.stderr)).toEqual([expect.stringMatching(/^entra-extract: another run is using .*; nothing done$/)]);

      // Neither refused run asked for a token or sent a Graph request.
      expect(world.tokenRequests).toBe(tokensBefore);
      expect(world.graphRequests).toBe(graphBefore);

      release.resolve();
      const r = await first.done;
      expect(r.code, r.stderr).toBe(0);
      expect(dbState(db)).toEqual(truthState(world.tenant));
      expect(runsOf(db).map((x) => x.outcome)).toEqual(['success']);
    } finally {
      release.resolve();
      world.before = undefined;
    }
  }, 60_000);
});

describe('backup while a pull writes', () => {
  it('is a consistent standalone 0600 copy that verifies, opens, and from which the next pull resumes to the truth', async () => {
    const busy = await startWorld({ tenant: { users: 400, groups: 40, memberships: 1500 } });
    worlds.push(busy);
    const dir = tempDir();
    const db = join(dir, 'entra.db');
    const out = join(dir, 'backup.db');
    // Graph answers slowly, so the pull commits page after page while the backup runs. From its
    // second $batch (the objects are written, their members are being read) the pull also waits for
    // the backup to end, so that on a slow machine too the copy is taken in the middle of the run.
    const backupDone = gate();
    let envelopes = 0;
    busy.before = async (req) => {
      await sleep(25);
      if (req.url.pathname.endsWith('/$batch') && ++envelopes > 1) await backupDone.promise;
    };
    const pull = startCli(['pull', '--db', db, '--commit-every', '0'], { env: busy.env(), cwd: dir });
    let copyLinks: number;
    try {
      const count = () => (existsSync(db) ? withDb(db, (d) => (d.prepare("SELECT 1 FROM sqlite_master WHERE name = 'entities'").get() ? (d.prepare('SELECT COUNT(*) FROM entities').pluck().get() as number) : 0)) : 0);
      for (let t = 0; count() < 50; t++) {
        if (t > 400) throw new Error('the pull committed nothing');
        await sleep(25);
      }

      const backup = await runCli(['backup', '--db', db, '--out', out, '--json'], { env: {}, cwd: dir });
      backupDone.resolve();
      expect(backup.code, backup.stderr).toBe(0);
      expect(pull.child.exitCode).toBeNull(); // the pull was still writing when the copy was done
      const report = JSON.parse(backup.stdout) as { ok: boolean; integrity: string; counts: Record<string, number>; sourceCounts: Record<string, number> };
      expect(report).toMatchObject({ ok: true, integrity: 'ok' });
      expect(report.counts).toEqual(report.sourceCounts);
      copyLinks = report.counts.entity_relations!;

      expect(statSync(out).mode & 0o777).toBe(0o600);
      expect(['-wal', '-shm', '-journal'].filter((s) => existsSync(out + s))).toEqual([]);
      openDatabase(out, { readonly: true }).close();
      withDb(out, (d) => {
        expect(d.pragma('integrity_check', { simple: true })).toBe('ok');
        const n = (t: string) => d.prepare(`SELECT COUNT(*) FROM ${t}`).pluck().get();
        expect({ entities: n('entities'), entity_relations: n('entity_relations'), runs: n('runs'), changes: n('changes') }).toEqual(report.counts);
        // A state of the middle of the run: the run is still open in the copy.
        expect(d.prepare('SELECT outcome FROM runs').pluck().all()).toEqual(['running']);
      });
    } finally {
      backupDone.resolve();
    }

    busy.before = undefined;
    const finished = await pull.done;
    expect(finished.code, finished.stderr).toBe(0);
    // The members and owners read after the copy was taken.
    expect(withDb(db, (d) => d.prepare('SELECT COUNT(*) FROM entity_relations').pluck().get() as number)).toBeGreaterThan(copyLinks);

    // Restore: copy the file back (no pull running), then pull: it resumes the rounds the copy holds.
    const restored = join(dir, 'restored.db');
    copyFileSync(out, restored);
    const resumed = await runCli(['pull', '--db', restored], { env: busy.env(), cwd: dir });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(dbState(restored)).toEqual(truthState(busy.tenant));
    expect(runsOf(restored).map((x) => x.outcome)).toEqual(['interrupted', 'success']);
  }, 60_000);

  it('refuses to overwrite an existing file (exit 1) unless --force', async () => {
    const dir = tempDir();
    const db = join(dir, 'entra.db');
    openDatabase(db).close();
    const out = join(dir, 'copy.db');
    expect((await runCli(['backup', '--db', db, '--out', out], { env: {}, cwd: dir })).code).toBe(0);
    const again = await runCli(['backup', '--db', db, '--out', out], { env: {}, cwd: dir });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/exists; the backup does not overwrite it/);
    expect((await runCli(['backup', '--db', db, '--out', out, '--force'], { env: {}, cwd: dir })).code).toBe(0);
  }, 30_000);
});

describe('pull --prune', () => {
  it('prunes after a successful pull and reports it; a partial pull does not prune', async () => {
    const dir = tempDir();
    const db = join(dir, 'entra.db');
    expect((await runCli(['pull', '--db', db], { env: world.env(), cwd: dir })).code).toBe(0);
    withDb(db, (d) => d.prepare("INSERT INTO changes (run_id, at, kind, entity_type, entity_id) VALUES (1, '2020-01-01T00:00:00.000Z', 'created', 'user', 'ancient')").run(), false);

    const r = await runCli(['pull', '--db', db, '--prune', '--json'], { env: world.env(), cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout) as { ok: boolean; outcome: string; prune: { removed: Record<string, unknown>; bytes: { before: number; after: number }; policy: Record<string, number> } };
    expect(summary.ok).toBe(true);
    expect(summary.prune.removed).toMatchObject({ changes: 1, runs: 0, signIns: 0 });
    expect(summary.prune.policy).toEqual({ keepRuns: 1000, changesDays: 400, signInsDays: 90 });
    expect(summary.prune.bytes.after).toBeGreaterThan(0);
    expect(withDb(db, (d) => d.prepare("SELECT COUNT(*) FROM changes WHERE entity_id = 'ancient'").pluck().get())).toBe(0);

    const text = await runCli(['pull', '--db', db, '--prune'], { env: world.env(), cwd: dir });
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^Pruned .* in [\d.]+ s:$/m);
    expect(text.stdout).toMatch(/^File size [\d.]+ MB before, [\d.]+ MB after VACUUM\.$/m);

    const limited = await startWorld({ roles: ['User.Read.All'] });
    worlds.push(limited);
    const pdir = tempDir();
    const pdb = join(pdir, 'entra.db');
    const partial = await runCli(['pull', '--db', pdb, '--prune', '--json'], { env: limited.env(), cwd: pdir });
    expect(partial.code).toBe(3);
    expect(JSON.parse(partial.stdout)).not.toHaveProperty('prune');
  }, 60_000);
});
