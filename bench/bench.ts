/**
 * npm run bench: a full pull of every collection of the whole tenant (100,000 users, 20,000 groups,
 * 1,000,000 memberships, 5,000 service principals, 200,000 app role assignments, 300,000 sign-ins)
 * served by the simulation from its own process over loopback HTTPS, unthrottled, then an
 * incremental pull after 1% of the tenant changes. Prints wall time, rows per second, requests and
 * the pull process's peak RSS, and checks the database against the simulated tenant: every live
 * object and effective link of every collection, and the sign-ins of the first window.
 *
 * Sizes can be shrunk for a quick look: BENCH_USERS, BENCH_GROUPS, BENCH_MEMBERSHIPS, BENCH_SPS,
 * BENCH_ASSIGNMENTS, BENCH_SIGNINS. BENCH_PULL_ARGS adds pull options (e.g. `--concurrency 8`).
 *
 * `npm run bench -- --profile graph` (or BENCH_PROFILE=graph) runs the simulation with Graph's
 * latency and limits (src/sim/graph/graph-profile.ts: latency per request and per row, the identity
 * resource-unit budget, the reports limit of 5 requests per 10 s, Retry-After on overdraft), and
 * reports for each pull the resource units used, the 429s, the violations and the time a delta-chain
 * round would need at that latency. BENCH_LATENCY_MS, BENCH_ROW_LATENCY_MS, BENCH_RU_BUDGET override
 * the profile's defaults (100 ms, 0.05 ms, 8,000 RU per 10 s).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { CONNECTORS } from '../connectors/index.js';
import { startSimChild, type SimChild } from '../src/sim/sim-child.js';
import { packageRoot } from '../src/store/package-root.js';

const USERS = Number(process.env.BENCH_USERS ?? 100_000);
const GROUPS = Number(process.env.BENCH_GROUPS ?? 20_000);
const MEMBERSHIPS = Number(process.env.BENCH_MEMBERSHIPS ?? 1_000_000);
const SPS = Number(process.env.BENCH_SPS ?? 5_000);
const ASSIGNMENTS = Number(process.env.BENCH_ASSIGNMENTS ?? 200_000);
const SIGNINS = Number(process.env.BENCH_SIGNINS ?? 300_000);
const PROFILE = process.argv.includes('--profile')
  ? process.argv[process.argv.indexOf('--profile') + 1]
  : process.env.BENCH_PROFILE ?? 'unthrottled';
if (PROFILE !== 'unthrottled' && PROFILE !== 'graph') throw new Error(`unknown profile ${String(PROFILE)} (unthrottled or graph)`);
const GRAPH = PROFILE === 'graph';
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
  /** What the pull's pacing had learned at its end: the identity budget it paced at, its concurrency, its waits. */
  pacing?: { capacity: number; concurrency: number; waitedSeconds: number };
  /** Graph profile only: what the simulation counted during this pull. */
  graph?: GraphFigures;
}

interface ProfileStats {
  ruUsed: number;
  throttled: number;
  violations: number;
  ruViolations: number;
  delta: Record<string, { pages: number; items: number }>;
  list?: Record<string, { pages: number; items: number }>;
}

interface GraphFigures {
  ruUsed: number;
  /** 429s the simulation answered ($batch items included). */
  throttled429: number;
  violations: number;
  /** Per delta collection: pages, items and the time its page chain needs at the profile's latency. */
  deltaChains: Record<string, { pages: number; items: number; seconds: number }>;
  /** The longest chain: a bound on a delta-chain round of the whole tenant at this latency. */
  deltaChainSeconds: number;
}

/** The profile's counters after the last pull: the next pull's start (nothing else moves them). */
let lastProfileStats: ProfileStats | undefined;

async function profileStats(sim: SimChild, cached = false): Promise<ProfileStats> {
  if (cached && lastProfileStats) return lastProfileStats;
  return (lastProfileStats = (await sim.command({ cmd: 'stats' })).profile as ProfileStats);
}

function graphFigures(sim: SimChild, before: ProfileStats, after: ProfileStats): GraphFigures {
  const p = sim.hello.profile as { latencyMs: number; rowLatencyMs: number };
  const deltaChains: GraphFigures['deltaChains'] = {};
  for (const [name, d] of Object.entries(after.delta)) {
    const pages = d.pages - (before.delta[name]?.pages ?? 0);
    const items = d.items - (before.delta[name]?.items ?? 0);
    // pages × (request latency + row latency × rows per page) = pages × latency + items × row latency.
    if (pages > 0) deltaChains[name] = { pages, items, seconds: (pages * p.latencyMs + items * p.rowLatencyMs) / 1000 };
  }
  return {
    ruUsed: after.ruUsed - before.ruUsed, throttled429: after.throttled - before.throttled, violations: after.violations - before.violations,
    deltaChains, deltaChainSeconds: Math.max(0, ...Object.values(deltaChains).map((c) => c.seconds)),
  };
}

/** The collections whose full round reads by listing, and whose chain the issue compares against. */
const LISTED = ['users', 'groups'];

/**
 * A full round read by listing follows no delta chain, so the chain it replaced is walked in the
 * simulation after the pull (src/sim/graph/walk-delta-chain.ts), with the pull's own first request,
 * and priced at the profile's latency like a chain the pull read: pages × request latency + items ×
 * row latency. The walk is not timed and costs the tenant nothing (no budget, no latency).
 */
async function walkListedChains(sim: SimChild, pull: PullFigures): Promise<void> {
  const g = pull.graph!;
  const p = sim.hello.profile as { latencyMs: number; rowLatencyMs: number };
  const ctx = { grantedRoles: new Set(ROLES) };
  for (const name of LISTED) {
    if (g.deltaChains[name]?.items) continue; // read by its chain: measured as it was served
    const step = CONNECTORS.find((c) => c.name === name)?.steps[0];
    if (step?.kind !== 'delta') continue;
    const r = await sim.command({ cmd: 'deltaChain', path: `/v1.0${step.url(ctx)}` });
    if (r.ok !== true) throw new Error(`walking the ${name} delta chain failed: ${String(r.error)}`);
    const pages = Number(r.pages);
    const items = Number(r.items);
    g.deltaChains[`${name} (walked after the pull)`] = { pages, items, seconds: (pages * p.latencyMs + items * p.rowLatencyMs) / 1000 };
  }
  g.deltaChainSeconds = Math.max(0, ...Object.values(g.deltaChains).map((c) => c.seconds));
}

async function timedPull(sim: SimChild, db: string, label: string): Promise<PullFigures> {
  const before = GRAPH ? await profileStats(sim, true) : undefined;
  const startedMs = Date.now();
  const started = process.hrtime.bigint();
  // BENCH_PULL_ARGS: more pull options (e.g. `--concurrency 8`), split on spaces.
  const extra = (process.env.BENCH_PULL_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [join(packageRoot(), 'bin', 'entra-extract.js'), 'pull', '--db', db, '--json', ...extra], {
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
    pacing?: { concurrency: number; identity: { capacity: number; waitedMs: number } };
    collections: Record<string, { upserts: number; deletions: number; linksUpserted: number; linksDeleted: number; requests: number; durationMs: number }>;
  };
  const rowsOf = (c: { upserts: number; deletions: number; linksUpserted: number; linksDeleted: number }) => c.upserts + c.deletions + c.linksUpserted + c.linksDeleted;
  const rows = Object.values(summary.collections).reduce((n, c) => n + rowsOf(c), 0);
  const collections = Object.fromEntries(Object.entries(summary.collections).map(([name, c]) => [name, { seconds: c.durationMs / 1000, requests: c.requests, rows: rowsOf(c) }]));
  const endedMs = Date.now();
  return {
    label, startedMs, endedMs, collections, wallSeconds, rows, rowsPerSecond: Math.round(rows / wallSeconds), requests: summary.requests,
    throttled: summary.throttled, peakRssMb: summary.peakRssMb, exitCode,
    ...(summary.pacing
      ? { pacing: { capacity: summary.pacing.identity.capacity, concurrency: summary.pacing.concurrency, waitedSeconds: Math.round(summary.pacing.identity.waitedMs / 100) / 10 } }
      : {}),
    ...(before ? { graph: graphFigures(sim, before, await profileStats(sim)) } : {}),
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
  if (GRAPH) {
    console.error(
      'graph profile: latency per request and per row, the identity resource-unit budget, and sign-ins (reports scope) limited to ' +
        '5 requests per 10 s, so each sign-in page costs about 2 s: for a quick run use a small BENCH_SIGNINS (e.g. BENCH_SIGNINS=2000).',
    );
  }
  const sim = await startSimChild([
    '--users', String(USERS), '--groups', String(GROUPS), '--memberships', String(MEMBERSHIPS), '--seed', '7',
    '--service-principals', String(SPS), '--app-role-assignments', String(ASSIGNMENTS), '--sign-ins', String(SIGNINS), '--sign-in-days', '7',
    '--roles', ROLES.join(','),
    ...(GRAPH
      ? [
        '--profile', 'graph',
        ...(process.env.BENCH_LATENCY_MS ? ['--latency-ms', process.env.BENCH_LATENCY_MS] : []),
        ...(process.env.BENCH_ROW_LATENCY_MS ? ['--row-latency-ms', process.env.BENCH_ROW_LATENCY_MS] : []),
        ...(process.env.BENCH_RU_BUDGET ? ['--ru-budget', process.env.BENCH_RU_BUDGET] : []),
      ]
      : []),
  ]);
  try {
    console.error(`simulation ready at ${sim.origin} (generated in ${String(sim.hello.generatedMs)} ms)`);
    const full = await timedPull(sim, dbPath, 'full');
    const fullCheck = await verify(sim, dbPath, dir, full);
    if (GRAPH) await walkListedChains(sim, full);
    const mutation = await sim.command({ cmd: 'mutate', fraction: 0.01 });
    const incremental = await timedPull(sim, dbPath, 'incremental (1% changed)');
    const incrementalCheck = await verify(sim, dbPath, dir, incremental);
    const results = {
      machine: { node: process.version, cpus: (await import('node:os')).cpus().length },
      ...(GRAPH ? { profile: PROFILE } : {}),
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
    if (GRAPH) {
      const p = sim.hello.profile as { latencyMs: number; rowLatencyMs: number; ruBudget: number };
      console.log('');
      console.log(`graph profile: ${p.latencyMs} ms per request, ${p.rowLatencyMs} ms per row, ${p.ruBudget} RU per 10 s (identity), reports 5 requests per 10 s`);
      console.log('pull                         wall s   requests  RU used   429s  violations  delta-chain round s');
      for (const f of [full, incremental]) {
        const g = f.graph!;
        console.log(`${f.label.padEnd(28)} ${f.wallSeconds.toFixed(2).padStart(6)}   ${String(f.requests).padEnd(9)} ${String(g.ruUsed).padEnd(9)} ${String(g.throttled429).padEnd(5)} ${String(g.violations).padEnd(11)} ${g.deltaChainSeconds.toFixed(2)}`);
      }
      for (const f of [full, incremental]) {
        if (f.pacing) {
          console.log(`${f.label} pacing: paced at ${f.pacing.capacity} RU per 10 s, concurrency ${f.pacing.concurrency} at the end, requests waited ${f.pacing.waitedSeconds} s in all for the budget`);
        }
      }
      for (const f of [full, incremental]) {
        const chains = Object.entries(f.graph!.deltaChains).map(([n, c]) => `${n} ${c.pages} pages/${c.items} items ${c.seconds.toFixed(2)} s`).join(', ');
        console.log(`${f.label} delta chains: ${chains || 'none'}`);
      }
      for (const f of [full, incremental]) {
        console.log(
          `${f.label}: ${f.wallSeconds.toFixed(1)} s against ${f.graph!.deltaChainSeconds.toFixed(1)} s for a delta-chain round at this latency ` +
            `(the longest delta page chain; ${(f.wallSeconds / Math.max(0.001, f.graph!.deltaChainSeconds)).toFixed(1)}x)`,
        );
      }
      console.log('(targets are for the unthrottled profile; sign-ins are paced by the reports limit: shrink BENCH_SIGNINS for a quick run)');
    } else {
      for (const v of verdict) console.log(v);
    }
    mkdirSync(join(packageRoot(), 'bench', 'out'), { recursive: true });
    writeFileSync(join(packageRoot(), 'bench', 'out', GRAPH ? 'results-graph.json' : 'results.json'), JSON.stringify(results, null, 2));
  } finally {
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
