/**
 * `entra-extract demo` end to end, in a fresh working directory: it serves its own simulated tenant,
 * pulls it twice through child processes (full, then delta), recreates only its own database, and
 * refuses to touch any other file at its --db path.
 */
import { COLLECTION_NAMES } from '../../connectors/index.js';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  childEnv,
  filesHoldingSecrets,
  outputsHoldingSecrets,
  runCli,
  runCollections,
  runsOf,
  startWorld,
  tempDir,
  type World,
} from './support.js';

const dirs: string[] = [];
const worlds: World[] = [];
afterAll(async () => {
  await Promise.all(worlds.map((w) => w.close()));
});

function newDir(): string {
  const d = tempDir('ee-e2e-demo-');
  dirs.push(d);
  return d;
}

/** No credentials at all in the demo's environment: it needs none. */
const demoEnv = () => childEnv({ NODE_EXTRA_CA_CERTS: undefined });

/** Every file of a folder with a hash of its bytes. */
function snapshot(dir: string, skip: (name: string) => boolean = () => false): Record<string, string> {
  return Object.fromEntries(
    readdirSync(dir)
      .filter((f) => !skip(f))
      .sort()
      .map((f) => [f, createHash('sha256').update(readFileSync(join(dir, f))).digest('hex')]),
  );
}

describe('demo', () => {
  it('runs end to end in an empty folder, twice: full then delta pull into ./entra-demo.db, recreated each time', async () => {
    const dir = newDir();
    const db = join(dir, 'entra-demo.db');
    const first = await runCli(['demo'], { env: demoEnv(), cwd: dir });
    expect(first.code, first.stderr).toBe(0);
    expect(existsSync(db)).toBe(true);
    expect(statSync(db).mode & 0o777).toBe(0o600);
    const runs = runsOf(db);
    expect(runs.map((r) => r.outcome)).toEqual(['success', 'success']);
    // Every collection, full the first time; then delta where Graph has delta (and the sign-in
    // watermark), full lists again for the rest.
    const incremental = new Set(['users', 'groups', 'directoryRoles', 'administrativeUnits', 'servicePrincipals', 'applications', 'signIns']);
    expect(runCollections(db, runs[0]!.id)).toEqual(Object.fromEntries(COLLECTION_NAMES.map((c) => [c, { mode: 'full', outcome: 'success' }])));
    expect(runCollections(db, runs[1]!.id)).toEqual(
      Object.fromEntries(COLLECTION_NAMES.map((c) => [c, { mode: incremental.has(c) ? 'delta' : 'full', outcome: 'success' }])),
    );
    expect(first.stdout).toContain('entra-demo.db');
    // The summary names what a reviewer looks for beyond users and groups.
    expect(first.stdout).toMatch(/\d+ activated directory roles with \d+ members, \d+ role assignments over \d+ role definitions/);
    expect(first.stdout).toMatch(/\d+ service principals and \d+ app registrations/);
    expect(first.stdout).toMatch(/[1-9]\d* of them application permissions to Microsoft Graph/);
    expect(first.stdout).toMatch(/\d+ subscriptions held by [1-9]\d* users; [1-9]\d* sign-ins/);
    // It ends with the review report, one HTML file beside the database, and says where it is.
    const report = join(dir, 'entra-demo-report.html');
    expect(first.stdout).toContain(`The review report: ${report}`);
    const html = readFileSync(report, 'utf8');
    for (const section of ['Privileged', 'Dormant', 'Guests', 'Leavers']) expect(html).toContain(section);

    const second = await runCli(['demo'], { env: demoEnv(), cwd: dir });
    expect(second.code, second.stderr).toBe(0);
    // Recreated, not appended to: again exactly one full and one delta run.
    const again = runsOf(db);
    expect(again.map((r) => r.outcome)).toEqual(['success', 'success']);
    expect(runCollections(db, again[1]!.id).users!.mode).toBe('delta');
  }, 60_000);

  it('demo --json prints one JSON object with both pull summaries', async () => {
    const dir = newDir();
    const r = await runCli(['demo', '--json', '--db', 'd.db'], { env: demoEnv(), cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { ok: boolean; full: { collections: Record<string, { mode: string }> }; incremental: { collections: Record<string, { mode: string }> } };
    expect(out.ok).toBe(true);
    expect(out.full.collections.users!.mode).toBe('full');
    expect(out.incremental.collections.users!.mode).toBe('delta');
    expect(out.incremental.collections.groups!.mode).toBe('delta');
    expect(existsSync(join(dir, 'd.db'))).toBe(true);
  }, 60_000);

  it("refuses another tenant's database at its --db path (exit 1) and leaves every file untouched", async () => {
    const world = await startWorld({ tenant: { users: 40, groups: 6, memberships: 100 } });
    worlds.push(world);
    const dir = newDir();
    const db = join(dir, 'real.db');
    const pulled = await runCli(['pull', '--db', db], { env: world.env(), cwd: dir });
    expect(pulled.code, pulled.stderr).toBe(0);
    const before = snapshot(dir);
    const r = await runCli(['demo', '--db', db], { env: demoEnv(), cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/not a demo database/);
    // Reading a WAL database (as `status` does too) may leave SQLite's empty -wal/-shm side files;
    // the database and its lock file must be exactly as they were.
    expect(snapshot(dir, (f) => /-(wal|shm)$/.test(f))).toEqual(before);
    expect(runsOf(db)).toHaveLength(1);
  }, 30_000);

  it('refuses a file that is not a database at its --db path (exit 1) and leaves it untouched', async () => {
    const dir = newDir();
    const bytes = randomBytes(4096);
    writeFileSync(join(dir, 'entra-demo.db'), bytes);
    const r = await runCli(['demo'], { env: demoEnv(), cwd: dir });
    expect(r.code).toBe(1);
    expect(readFileSync(join(dir, 'entra-demo.db')).equals(bytes)).toBe(true);
    expect(readdirSync(dir)).toEqual(['entra-demo.db']);
  });

  it('kept every secret (the demo one included) out of stdout, stderr and the files', () => {
    expect(outputsHoldingSecrets()).toEqual([]);
    for (const dir of dirs) expect(filesHoldingSecrets(dir)).toEqual([]);
  });
});
