/**
 * The built CLI as a scheduler or a person runs it: exit codes and messages, `pull --json` and the
 * stderr log lines, `status`, one run at a time per database, the database file's mode, and no
 * secret anywhere in what it prints or writes.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  OTHER_TENANT_ID,
  SECRET,
  WRONG_SECRET,
  dbState,
  filesHoldingSecrets,
  outputsHoldingSecrets,
  runCli,
  runCollections,
  runsOf,
  startWorld,
  tempDir,
  truthState,
  withDb,
  type DbState,
  type World,
} from './support.js';

const dirs: string[] = [];
const worlds: World[] = [];
let world: World;

beforeAll(async () => {
  world = await startWorld();
  worlds.push(world);
});
afterAll(async () => {
  await Promise.all(worlds.map((w) => w.close()));
});

function newDir(): string {
  const d = tempDir();
  dirs.push(d);
  return d;
}

const usersOnly = (s: DbState): DbState => ({
  entities: s.entities.filter((e) => e.startsWith('user|')),
  relations: s.relations.filter((r) => r.startsWith('reportsTo|')),
});

interface PullJson {
  ok: boolean;
  runId: number;
  outcome: string;
  durationMs: number;
  requests: number;
  collections: Record<string, { mode: string; upserts: number; deletions: number; requests: number; durationMs: number; outcome: string }>;
}

describe('pull --json and status', () => {
  it('pull --json prints one JSON summary on stdout, JSON log lines on stderr; status shows both runs and delta ages', async () => {
    const dir = newDir();
    const db = join(dir, 'entra.db');
    const first = await runCli(['pull', '--db', db, '--json'], { env: world.env(), cwd: dir });
    expect(first.code, first.stderr).toBe(0);

    // stdout is exactly one JSON object (nothing else), with the per-collection figures.
    const s1 = JSON.parse(first.stdout) as PullJson;
    expect(s1.ok).toBe(true);
    expect(s1.outcome).toBe('success');
    const truth = truthState(world.tenant);
    const liveUsers = truth.entities.filter((e) => e.startsWith('user|')).length;
    const liveGroups = truth.entities.filter((e) => e.startsWith('group|')).length;
    expect(Object.keys(s1.collections).sort()).toEqual(['groups', 'users']);
    for (const c of Object.values(s1.collections)) {
      expect(c.mode).toBe('full');
      expect(c.outcome).toBe('success');
      expect(c.deletions).toBe(0);
      expect(c.requests).toBeGreaterThan(1);
      expect(typeof c.durationMs).toBe('number');
      expect(c.durationMs).toBeGreaterThanOrEqual(0);
    }
    expect(s1.collections.users!.upserts).toBe(liveUsers);
    expect(s1.collections.groups!.upserts).toBe(liveGroups);
    expect(s1.requests).toBe(s1.collections.users!.requests + s1.collections.groups!.requests);
    expect(s1.requests).toBe(world.graphRequests);

    // stderr (not a terminal here) carries one JSON object per line, and only that.
    const lines = first.stderr.split('\n').filter((l) => l.trim() !== '');
    expect(lines.length).toBeGreaterThan(2);
    for (const line of lines) {
      const parsed = JSON.parse(line) as Record<string, unknown>;
      expect(typeof parsed).toBe('object');
      expect(parsed.event, line).toEqual(expect.any(String));
    }
    expect(dbState(db)).toEqual(truth);

    // (6) the new database file is readable by its owner only.
    expect(statSync(db).mode & 0o777).toBe(0o600);

    // Second run: a delta pull that sees a deleted user.
    const t = world.tenant;
    const victim = [...t.users.values()].find((u) => u.state === 'live')!.id;
    t.hardDeleteUser(victim);
    t.updateGroup([...t.groups.values()].find((g) => g.state === 'live')!.id, { description: 'e2e changed' });
    const before = world.graphRequests;
    const second = await runCli(['pull', '--db', db, '--json'], { env: world.env(), cwd: dir });
    expect(second.code, second.stderr).toBe(0);
    const s2 = JSON.parse(second.stdout) as PullJson;
    expect(s2.collections.users!.mode).toBe('delta');
    expect(s2.collections.groups!.mode).toBe('delta');
    expect(s2.collections.users!.deletions).toBe(1);
    expect(s2.collections.groups!.upserts).toBeGreaterThanOrEqual(1);
    expect(s2.requests).toBe(world.graphRequests - before);
    expect(s2.runId).toBe(s1.runId + 1);
    expect(dbState(db)).toEqual(truthState(t));

    const statusJson = await runCli(['status', '--db', db, '--json'], { env: world.env(), cwd: dir });
    expect(statusJson.code, statusJson.stderr).toBe(0);
    const report = JSON.parse(statusJson.stdout) as {
      tenantId: string;
      runs: { id: number; outcome: string; collections: { collection: string; mode: string }[] }[];
      syncState: { collection: string; deltaAgeSeconds: number | null }[];
    };
    expect(report.runs.map((r) => r.id).sort()).toEqual([s1.runId, s2.runId]);
    for (const r of report.runs) expect(r.outcome).toBe('success');
    const modes = (id: number) => Object.fromEntries(report.runs.find((r) => r.id === id)!.collections.map((c) => [c.collection, c.mode]));
    expect(modes(s1.runId)).toEqual({ users: 'full', groups: 'full' });
    expect(modes(s2.runId)).toEqual({ users: 'delta', groups: 'delta' });
    expect(report.syncState.map((st) => st.collection).sort()).toEqual(['groups', 'users']);
    for (const st of report.syncState) {
      expect(st.deltaAgeSeconds).toEqual(expect.any(Number));
      expect(st.deltaAgeSeconds!).toBeGreaterThanOrEqual(0);
      expect(st.deltaAgeSeconds!).toBeLessThan(120);
    }

    const status = await runCli(['status', '--db', db], { env: world.env(), cwd: dir });
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain(`#${s1.runId} `);
    expect(status.stdout).toContain(`#${s2.runId} `);
    expect(status.stdout).toMatch(/users\s+deltaLink \d+ s old/);
    expect(status.stdout).toMatch(/groups\s+deltaLink \d+ s old/);
  }, 60_000);
});

describe('exit codes and messages', () => {
  it('no AZURE_TENANT_ID: exit 1, stderr names the variable, no database created', async () => {
    const dir = newDir();
    const db = join(dir, 'entra.db');
    const r = await runCli(['pull', '--db', db], { env: world.env({ AZURE_TENANT_ID: undefined }), cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('AZURE_TENANT_ID');
    expect(existsSync(db)).toBe(false);
  });

  it('pull --only nope: usage error, exit 2', async () => {
    const dir = newDir();
    const r = await runCli(['pull', '--db', join(dir, 'entra.db'), '--only', 'nope'], { env: world.env(), cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('nope');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('an unknown option: usage error, exit 2', async () => {
    const dir = newDir();
    const r = await runCli(['pull', '--db', join(dir, 'entra.db'), '--no-such-option'], { env: world.env(), cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--no-such-option');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a wrong client secret: exit 1, says the secret is not valid, never prints it', async () => {
    const dir = newDir();
    const r = await runCli(['pull', '--db', join(dir, 'entra.db')], { env: world.env({ AZURE_CLIENT_SECRET: WRONG_SECRET }), cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/client secret is not valid/i);
    expect(r.stderr + r.stdout).not.toContain(WRONG_SECRET);
    expect(r.stderr + r.stdout).not.toContain(SECRET);
  });

  it('a token without GroupMember.Read.All: exit 3 (partial), users committed, groups failed', async () => {
    const limited = await startWorld({ roles: ['User.Read.All'] });
    worlds.push(limited);
    const dir = newDir();
    const db = join(dir, 'entra.db');
    const r = await runCli(['pull', '--db', db], { env: limited.env(), cwd: dir });
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/groups/);
    expect(r.stderr).toMatch(/GroupMember\.Read\.All|Insufficient privileges/);
    const state = dbState(db);
    expect(usersOnly(state)).toEqual(usersOnly(truthState(limited.tenant)));
    expect(state.entities.filter((e) => !e.startsWith('user|'))).toEqual([]);
    const [run] = runsOf(db);
    expect(run!.outcome).toBe('partial');
    const cols = runCollections(db, run!.id);
    expect(cols.users!.outcome).toBe('success');
    expect(cols.groups!.outcome).toBe('failed');
  }, 30_000);

  it('a database path in a missing folder: exit 1 naming the folder, nothing created', async () => {
    const dir = newDir();
    const folder = join(dir, 'missing', 'deeper');
    const r = await runCli(['pull', '--db', join(folder, 'entra.db')], { env: world.env(), cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(folder);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('an unreadable certificate: exit 1 naming the variable and the file, no database created', async () => {
    const dir = newDir();
    const r = await runCli(['pull', '--db', join(dir, 'entra.db')], {
      env: world.env({ AZURE_CLIENT_SECRET: undefined, AZURE_CLIENT_CERTIFICATE_PATH: join(dir, 'app.pem') }),
      cwd: dir,
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('AZURE_CLIENT_CERTIFICATE_PATH');
    expect(r.stderr).toContain(join(dir, 'app.pem'));
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a corrupt database file: exit 1, the file is left byte for byte as it was', async () => {
    const dir = newDir();
    const db = join(dir, 'entra.db');
    const bytes = randomBytes(16_384);
    writeFileSync(db, bytes, { mode: 0o600 });
    const r = await runCli(['pull', '--db', db], { env: world.env(), cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/not a readable SQLite database/);
    expect(readFileSync(db).equals(bytes)).toBe(true);
    expect(existsSync(`${db}-wal`)).toBe(false);
    expect(existsSync(`${db}-shm`)).toBe(false);
    const st = await runCli(['status', '--db', db], { env: world.env(), cwd: dir });
    expect(st.code).toBe(1);
    expect(readFileSync(db).equals(bytes)).toBe(true);
  });

  it("another tenant's database: exit 1, nothing written to it", async () => {
    const dir = newDir();
    const db = join(dir, 'entra.db');
    const own = await runCli(['pull', '--db', db], { env: world.env(), cwd: dir });
    expect(own.code, own.stderr).toBe(0);
    // The database is bound to the token's tenant id; make it another tenant's.
    withDb(db, (d) => d.prepare("UPDATE meta SET value = ? WHERE key = 'tenant_id'").run(OTHER_TENANT_ID), false);
    const before = dbState(db);
    const runsBefore = runsOf(db);
    const r = await runCli(['pull', '--db', db], { env: world.env(), cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/holds tenant/);
    expect(r.stderr).toContain(OTHER_TENANT_ID);
    expect(runsOf(db)).toEqual(runsBefore);
    expect(dbState(db)).toEqual(before);
    expect(withDb(db, (d) => (d.prepare("SELECT value FROM meta WHERE key = 'tenant_id'").get() as { value: string }).value)).toBe(OTHER_TENANT_ID);
  }, 30_000);

  it('a tenant this database does not belong to that cannot sign in: exit 1, nothing written to it', async () => {
    const dir = newDir();
    const db = join(dir, 'entra.db');
    const own = await runCli(['pull', '--db', db], { env: world.env(), cwd: dir });
    expect(own.code, own.stderr).toBe(0);
    const before = dbState(db);
    const runsBefore = runsOf(db);
    const r = await runCli(['pull', '--db', db], { env: world.env({ AZURE_TENANT_ID: OTHER_TENANT_ID }), cwd: dir });
    expect(r.code).toBe(1);
    expect(runsOf(db)).toEqual(runsBefore);
    expect(dbState(db)).toEqual(before);
  }, 30_000);

  it('status on a database that does not exist: exit 1, nothing created', async () => {
    const dir = newDir();
    const r = await runCli(['status', '--db', join(dir, 'none.db')], { env: world.env(), cwd: dir });
    expect(r.code).toBe(1);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('secrets', () => {
  it('no secret in any stdout, stderr or file written by the runs above', () => {
    expect(outputsHoldingSecrets()).toEqual([]);
    for (const dir of dirs) expect(filesHoldingSecrets(dir)).toEqual([]);
    // make sure the search would find one
    const probe = newDir();
    mkdirSync(join(probe, 'x'));
    writeFileSync(join(probe, 'x', 'f'), `abc${SECRET}def`);
    expect(filesHoldingSecrets(probe)).toHaveLength(1);
  });
});
