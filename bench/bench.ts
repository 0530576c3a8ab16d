/**
 * npm run bench: a full pull of 100,000 users, 20,000 groups and 1,000,000 memberships served by the
 * simulation from its own process over loopback HTTPS, then an incremental pull after 1% of objects
 * change. Prints wall time, rows per second, requests and the pull process's peak RSS, and checks the
 * database against the simulated tenant's truth.
 *
 * Sizes can be shrunk for a quick look: BENCH_USERS, BENCH_GROUPS, BENCH_MEMBERSHIPS.
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
const TARGETS = { fullSeconds: 60, peakRssMb: 300, incrementalSeconds: 5 };

interface PullFigures {
  label: string;
  wallSeconds: number;
  rows: number;
  rowsPerSecond: number;
  requests: number;
  throttled: number;
  peakRssMb: number;
  exitCode: number;
}

async function timedPull(sim: SimChild, db: string, label: string): Promise<PullFigures> {
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, [join(packageRoot(), 'bin', 'entra-extract.js'), 'pull', '--db', db, '--json'], {
    env: sim.pullEnv(),
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
    collections: Record<string, { upserts: number; deletions: number; linksUpserted: number; linksDeleted: number }>;
  };
  const rows = Object.values(summary.collections).reduce((n, c) => n + c.upserts + c.deletions + c.linksUpserted + c.linksDeleted, 0);
  return {
    label, wallSeconds, rows, rowsPerSecond: Math.round(rows / wallSeconds), requests: summary.requests,
    throttled: summary.throttled, peakRssMb: summary.peakRssMb, exitCode,
  };
}

/** The database's live rows must equal the simulated tenant's truth. */
async function verify(sim: SimChild, dbPath: string, dir: string): Promise<string> {
  const out = join(dir, 'truth.json');
  await sim.command({ cmd: 'truth', out });
  const truth = JSON.parse(readFileSync(out, 'utf8')) as { entities: { type: string; id: string }[]; relations: { relation: string; sourceId: string; targetId: string }[] };
  const db = new Database(dbPath, { readonly: true });
  const liveEntities = new Set(
    (db.prepare('SELECT entity_type, id FROM entities WHERE deleted_at IS NULL').raw().all() as string[][]).map((r) => r.join('|')),
  );
  const liveRelations = new Set(
    (db.prepare('SELECT relation, source_id, target_id FROM effective_relations').raw().all() as string[][]).map((r) => r.join('|')),
  );
  db.close();
  const te = new Set(truth.entities.map((e) => `${e.type}|${e.id}`));
  const tr = new Set(truth.relations.map((r) => `${r.relation}|${r.sourceId}|${r.targetId}`));
  const diff = (a: Set<string>, b: Set<string>) => [...a].filter((x) => !b.has(x)).length;
  const problems = [diff(te, liveEntities), diff(liveEntities, te), diff(tr, liveRelations), diff(liveRelations, tr)];
  return problems.every((n) => n === 0)
    ? `database equals the tenant (${te.size} objects, ${tr.size} links)`
    : `MISMATCH: missing objects ${problems[0]}, extra objects ${problems[1]}, missing links ${problems[2]}, extra links ${problems[3]}`;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'entra-bench-'));
  const dbPath = join(dir, 'bench.db');
  console.error(`generating ${USERS} users, ${GROUPS} groups, ${MEMBERSHIPS} memberships in the simulation process...`);
  const sim = await startSimChild(['--users', String(USERS), '--groups', String(GROUPS), '--memberships', String(MEMBERSHIPS), '--seed', '7']);
  try {
    console.error(`simulation ready at ${sim.origin} (generated in ${String(sim.hello.generatedMs)} ms)`);
    const full = await timedPull(sim, dbPath, 'full');
    const fullCheck = await verify(sim, dbPath, dir);
    const mutation = await sim.command({ cmd: 'mutate', fraction: 0.01 });
    const incremental = await timedPull(sim, dbPath, 'incremental (1% changed)');
    const incrementalCheck = await verify(sim, dbPath, dir);
    const results = { machine: { node: process.version, cpus: (await import('node:os')).cpus().length }, sizes: { USERS, GROUPS, MEMBERSHIPS }, full, fullCheck, mutation, incremental, incrementalCheck, targets: TARGETS };
    console.log('');
    console.log('pull                         wall s   rows       rows/s    requests  throttled  peak RSS MB');
    for (const f of [full, incremental]) {
      console.log(`${f.label.padEnd(28)} ${f.wallSeconds.toFixed(2).padStart(6)}   ${String(f.rows).padEnd(10)} ${String(f.rowsPerSecond).padEnd(9)} ${String(f.requests).padEnd(9)} ${String(f.throttled).padEnd(10)} ${f.peakRssMb}`);
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
