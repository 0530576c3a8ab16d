/**
 * npm run bench: a full pull of every collection of the whole tenant (100,000 users, 20,000 groups,
 * 1,000,000 memberships, 5,000 service principals, 200,000 app role assignments, 300,000 sign-ins)
 * served by the simulation from its own process over loopback HTTPS, unthrottled, then an
 * incremental pull after 1% of the tenant changes. Prints wall time, rows per second, requests and
 * the pull process's peak RSS, and checks the database against the simulated tenant: every live
 * object and effective link of every collection, and the sign-ins of the first window.
 *
 * Sizes can be shrunk for a quick look: BENCH_USERS, BENCH_GROUPS, BENCH_MEMBERSHIPS, BENCH_SPS,
 * BENCH_ASSIGNMENTS, BENCH_SIGNINS.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { startSimChild, type SimChild } from '../src/sim/sim-child.js';
import { packageRoot } from '../src/store/package-root.js';

const USERS = Number(process.env.BENCH_USERS ?? 100_000);
const GROUPS = Number(process.env.BENCH_GROUPS ?? 20_000);
const MEMBERSHIPS = Number(process.env.BENCH_MEMBERSHIPS ?? 1_000_000);
const SPS = Number(process.env.BENCH_SPS ?? 5_000);
const ASSIGNMENTS = Number(process.env.BENCH_ASSIGNMENTS ?? 200_000);
const SIGNINS = Number(process.env.BENCH_SIGNINS ?? 300_000);
const TARGETS = { fullSeconds: 120, peakRssMb: 300, incrementalSeconds: 15 };
/** Every permission the collections ask for, and hidden unit memberships. */
const ROLES = [
  'User.Read.All', 'GroupMember.Read.All', 'RoleManagement.Read.Directory', 'AdministrativeUnit.Read.All', 'Member.Read.Hidden',
  'Application.Read.All', 'Directory.Read.All', 'LicenseAssignment.Read.All', 'AuditLog.Read.All',
];

interface PullFigures {
  label: string;
  startedMs: number;
  endedMs: number;
  collections: Record<string, { seconds: number; requests: number; rows: number }>;
  wallSeconds: number;
  rows: number;
  rowsPerSecond: number;
  requests: number;
  throttled: number;
  peakRssMb: number;
  exitCode: number;
}

async function timedPull(sim: SimChild, db: string, label: string): Promise<PullFigures> {
  const startedMs = Date.now();
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, [join(packageRoot(), 'bin', 'entra-extract.js'), 'pull', '--db', db, '--json'], {
    // BENCH_PULL_NODE_OPTIONS: V8 flags for the pull process only (the simulation keeps its own).
    env: { ...sim.pullEnv(), ...(process.env.BENCH_PULL_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_PULL_NODE_OPTIONS } : {}) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exitCode: number = await new Promise((resolve) => child.on('exit', (code) => resolve(code ?? -1)));
  const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (exitCode !== 0) throw new Error(`${label} pull exited ${exitCode}\n${err.slice(-4000)}`);
  const summary = JSON.parse(out) as {
    requests: number;
    throttled: number;
    peakRssMb: number;
    collections: Record<string, { upserts: number; deletions: number; linksUpserted: number; linksDeleted: number; requests: number; durationMs: number }>;
  };
  const rowsOf = (c: { upserts: number; deletions: number; linksUpserted: number; linksDeleted: number }) => c.upserts + c.deletions + c.linksUpserted + c.linksDeleted;
  const rows = Object.values(summary.collections).reduce((n, c) => n + rowsOf(c), 0);
  const collections = Object.fromEntries(Object.entries(summary.collections).map(([name, c]) => [name, { seconds: c.durationMs / 1000, requests: c.requests, rows: rowsOf(c) }]));
  return {
    label, startedMs, endedMs: Date.now(), collections, wallSeconds, rows, rowsPerSecond: Math.round(rows / wallSeconds), requests: summary.requests,
    throttled: summary.throttled, peakRssMb: summary.peakRssMb, exitCode,
  };
}

/**
 * The database must hold exactly the tenant: every live object and effective link of every
 * collection (keys from the simulation, one per line), and every sign-in of the first window that
 * was visible when the pull started, nothing that was not visible when it ended.
 */
async function verify(sim: SimChild, dbPath: string, dir: string, pull: PullFigures): Promise<string> {
  const out = join(dir, 'truth.txt');
  await sim.command({ cmd: 'wholeTruth', out });
  const db = new Database(dbPath, { readonly: true });
  const got = new Set<string>();
  for (const r of db.prepare('SELECT entity_type, id FROM entities WHERE deleted_at IS NULL').raw().iterate() as Iterable<string[]>) got.add(`E|${r.join('|')}`);
  for (const r of db.prepare('SELECT relation, source_type, source_id, target_type, target_id, scope FROM effective_relations').raw().iterate() as Iterable<string[]>) {
    got.add(`R|${r.join('|')}`);
  }
  let missing = 0;
  let expected = 0;
  for (const line of readFileSync(out, 'utf8').split('\n')) {
    if (!line) continue;
    expected++;
    if (!got.delete(line)) missing++;
  }
  const extra = got.size;
  got.clear();
  // Sign-ins: every event of a window that was visible when its pull started must be stored (the
  // first window is [watermark - 7 days, watermark], each later one reaches back 60 minutes over the
  // last watermark), and nothing that was not visible when the pull ended. An event that arrived
  // later than the overlap is the documented trade-off of --sign-ins-overlap.
  const watermark = (db.prepare("SELECT watermark FROM sync_state WHERE collection = 'signIns'").get() as { watermark: string | null } | undefined)?.watermark;
  const stored = new Set(db.prepare('SELECT id FROM sign_ins').pluck().all() as string[]);
  db.close();
  let signIns = 'no watermark';
  if (watermark) {
    const ids = async (at: number, from: string, to: string) => {
      const file = join(dir, `sign-ins-${at}.txt`);
      await sim.command({ cmd: 'signIns', out: file, from, to, at });
      return readFileSync(file, 'utf8').split('\n').filter(Boolean);
    };
    const from = signInWindows.length === 0
      ? new Date(Date.parse(watermark) - 7 * 86_400_000).toISOString()
      : new Date(Date.parse(signInWindows.at(-1)!.to) - 60 * 60_000).toISOString();
    signInWindows.push({ from, to: watermark });
    for (const id of await ids(pull.startedMs, from, watermark)) mustHaveSignIns.add(id);
    const mustHave = [...mustHaveSignIns].filter((id) => !stored.has(id)).length;
    const mayHave = new Set(await ids(pull.endedMs, signInWindows[0]!.from, watermark));
    const unexpected = [...stored].filter((id) => !mayHave.has(id)).length;
    signIns = mustHave === 0 && unexpected === 0 ? `${stored.size} sign-ins, exactly the windows'` : `SIGN-IN MISMATCH: ${mustHave} missing, ${unexpected} unexpected`;
  }
  return missing === 0 && extra === 0
    ? `database equals the tenant (${expected} objects and links); ${signIns}`
    : `MISMATCH: ${missing} of ${expected} objects and links missing, ${extra} extra; ${signIns}`;
}

/** The sign-in windows pulled so far, and the events each must have stored. */
const signInWindows: { from: string; to: string }[] = [];
const mustHaveSignIns = new Set<string>();

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'entra-bench-'));
  const dbPath = join(dir, 'bench.db');
  console.error(
    `generating ${USERS} users, ${GROUPS} groups, ${MEMBERSHIPS} memberships, ${SPS} service principals, ${ASSIGNMENTS} app role assignments, ` +
      `${SIGNINS} sign-ins in the simulation process...`,
  );
  const sim = await startSimChild([
    '--users', String(USERS), '--groups', String(GROUPS), '--memberships', String(MEMBERSHIPS), '--seed', '7',
    '--service-principals', String(SPS), '--app-role-assignments', String(ASSIGNMENTS), '--sign-ins', String(SIGNINS), '--sign-in-days', '7',
    '--roles', ROLES.join(','),
  ]);
  try {
    console.error(`simulation ready at ${sim.origin} (generated in ${String(sim.hello.generatedMs)} ms)`);
    const full = await timedPull(sim, dbPath, 'full');
    const fullCheck = await verify(sim, dbPath, dir, full);
    const mutation = await sim.command({ cmd: 'mutate', fraction: 0.01 });
    const incremental = await timedPull(sim, dbPath, 'incremental (1% changed)');
    const incrementalCheck = await verify(sim, dbPath, dir, incremental);
    const results = {
      machine: { node: process.version, cpus: (await import('node:os')).cpus().length },
      sizes: { USERS, GROUPS, MEMBERSHIPS, SPS, ASSIGNMENTS, SIGNINS }, generated: sim.hello, full, fullCheck, mutation, incremental, incrementalCheck, targets: TARGETS,
    };
    console.log('');
    console.log('pull                         wall s   rows       rows/s    requests  throttled  peak RSS MB');
    for (const f of [full, incremental]) {
      console.log(`${f.label.padEnd(28)} ${f.wallSeconds.toFixed(2).padStart(6)}   ${String(f.rows).padEnd(10)} ${String(f.rowsPerSecond).padEnd(9)} ${String(f.requests).padEnd(9)} ${String(f.throttled).padEnd(10)} ${f.peakRssMb}`);
    }
    for (const f of [full, incremental]) {
      console.log(`${f.label}: ${Object.entries(f.collections).map(([n, c]) => `${n} ${c.seconds.toFixed(1)} s/${c.requests} req`).join(', ')}`);
    }
    console.log(`full: ${fullCheck}`);
    console.log(`incremental: ${incrementalCheck}`);
    const verdict = [
      `full pull ${full.wallSeconds.toFixed(1)} s (target ≤ ${TARGETS.fullSeconds} s): ${full.wallSeconds <= TARGETS.fullSeconds ? 'met' : 'MISSED'}`,
      `peak RSS ${Math.max(full.peakRssMb, incremental.peakRssMb)} MB (target ≤ ${TARGETS.peakRssMb} MB): ${Math.max(full.peakRssMb, incremental.peakRssMb) <= TARGETS.peakRssMb ? 'met' : 'MISSED'}`,
      `incremental pull ${incremental.wallSeconds.toFixed(1)} s (target ≤ ${TARGETS.incrementalSeconds} s): ${incremental.wallSeconds <= TARGETS.incrementalSeconds ? 'met' : 'MISSED'}`,
    ];
    for (const v of verdict) console.log(v);
    mkdirSync(join(packageRoot(), 'bench', 'out'), { recursive: true });
    writeFileSync(join(packageRoot(), 'bench', 'out', 'results.json'), JSON.stringify(results, null, 2));
  } finally {
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
