import { Command, Option } from 'commander';
import { duration, wholeNumber } from './option-parsers.js';
import { loadConfig } from '../config/index.js';
import { UsageError } from '../errors/index.js';
import { readStatus, type StatusReport } from '../pull/read-status.js';
import { checkFreshness, DEFAULT_MAX_AGE_MS, type CollectionFreshness, type FreshnessReport } from '../pull/check-freshness.js';
import { CONNECTORS } from '../../connectors/index.js';
import type { Io } from './io.js';

const fmt = (n: number) => n.toLocaleString('en-US');

function age(seconds: number): string {
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172800) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86400)} days`;
}

/** Delta tokens of directory objects last 7 days (graph-facts 1.4): older state means a full resync. */
const DELTA_TOKEN_LIFETIME_S = 7 * 86400;

export function formatStatus(s: StatusReport): string {
  const lines = [`Database: ${s.database}${s.tenantId ? ` (tenant ${s.tenantId})` : ''}`];
  lines.push(
    `Holds ${fmt(s.totals.entities)} objects and ${fmt(s.totals.relations)} effective links, plus ${fmt(s.totals.deletedEntities)} removed objects and ${fmt(s.totals.deletedRelations)} removed links kept for history.`,
  );
  if (s.totals.dormantRelations > 0) {
    lines.push(`${fmt(s.totals.dormantRelations)} more links belong to soft-deleted objects: not effective now, back with the object if it is restored.`);
  }
  lines.push('', 'Delta state (one line per collection, and per further step: servicePrincipals:owners):');
  if (s.syncState.length === 0) lines.push('  none yet: the next pull is a full one');
  const width = Math.max(22, ...s.syncState.map((st) => st.collection.length));
  for (const st of s.syncState) {
    let text: string;
    if (st.query?.startsWith('events ')) {
      text = st.watermark ? `watermark ${st.watermark} (the next window starts there, less the overlap)` : 'no watermark yet (the next pull reads the first window)';
    } else if (st.deltaAgeSeconds !== null) {
      text = `deltaLink ${age(st.deltaAgeSeconds)} old`;
      if (st.deltaAgeSeconds > DELTA_TOKEN_LIFETIME_S) text += ' — older than 7 days, Graph will ask for a full resync';
    } else {
      text = st.query?.includes('/delta') ? 'no deltaLink (next pull is full)' : 'read whole every run (no change tracking in Graph)';
    }
    if (!st.query?.startsWith('events ')) text += st.lastFullAgeSeconds === null ? '; no complete full round yet' : `; last full round ${age(st.lastFullAgeSeconds)} ago`;
    if (st.round_mode) text += `; a ${st.round_mode} round is in progress since ${st.round_started_at} (the next pull resumes it)`;
    lines.push(`  ${st.collection.padEnd(width)} ${text}`);
  }
  lines.push('', 'Recent runs:');
  if (s.runs.length === 0) lines.push('  none');
  for (const r of s.runs) {
    const secs = r.ended_at ? ` in ${((Date.parse(r.ended_at) - Date.parse(r.started_at)) / 1000).toFixed(1)} s` : '';
    lines.push(`  #${r.id} ${r.started_at} ${r.command} ${r.outcome}${secs} — ${fmt(r.requests)} requests, ${fmt(r.throttled)} throttled, ${fmt(r.retries)} retries`);
    for (const c of r.collections) {
      lines.push(
        `      ${c.collection.padEnd(20)} ${c.mode.padEnd(5)} ${c.outcome.padEnd(11)} ${fmt(c.upserts)} objects written, ${fmt(c.deletions)} removed, ${fmt(c.links_upserted)} links written, ${fmt(c.links_deleted)} removed, ${fmt(c.pages)} pages${c.mode === 'full' && c.full_reason ? ` (full: ${c.full_reason}${c.full_read ? `; read by ${c.full_read}` : ''})` : ''}${c.error ? ` — ${c.error}` : ''}`,
      );
    }
    if (r.error && r.collections.length === 0) lines.push(`      ${r.error}`);
  }
  return lines.join('\n');
}

/** A duration as given on the command line: `26h`, `90m`, `45s`. */
function span(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}

function freshnessLine(c: CollectionFreshness, maxAgeSeconds: number): string {
  const last = c.lastSuccessAt ? `last complete pull ${c.lastSuccessAt} (${age(c.ageSeconds!)} ago)` : 'no complete pull yet';
  switch (c.status) {
    case 'ok':
      return `${c.collection}: ok, ${last}`;
    case 'stale':
      return `${c.collection}: stale, ${last}, older than ${span(maxAgeSeconds)}${c.lastOutcome && c.lastOutcome !== 'success' ? `; last attempt ${c.lastOutcome}` : ''}`;
    case 'failed':
      return `${c.collection}: failed, last attempt failed: ${c.error}; ${last}`;
    case 'never':
      return `${c.collection}: never, ${c.lastOutcome ? `no attempt completed (last ${c.lastOutcome})` : 'never pulled'}`;
    case 'skipped':
      return `${c.collection}: skipped (not an alarm): ${c.error}`;
    case 'unused':
      return `${c.collection}: not pulled by any run (not judged)`;
  }
}

/** Nagios style: the first line is the verdict, then one line per collection. */
export function formatFreshness(r: FreshnessReport): string {
  const judged = r.collections.filter((c) => c.status !== 'unused');
  const unused = r.collections.filter((c) => c.status === 'unused').map((c) => c.collection);
  const bad = judged.filter((c) => c.status !== 'ok' && c.status !== 'skipped');
  const skipped = judged.filter((c) => c.status === 'skipped').length;
  const first = r.ok
    ? `OK: all ${judged.length - skipped} collections pulled within ${span(r.maxAgeSeconds)}${skipped ? ` (${skipped} skipped)` : ''}`
    : `STALE: ${bad.map((c) => `${c.collection} ${c.status}`).join(', ')} (max age ${span(r.maxAgeSeconds)})`;
  // Collections no run ever pulled (a schedule with --only) are named once, not judged.
  const tail = unused.length > 0 ? [`not pulled by any run, not judged: ${unused.join(', ')}`] : [];
  return [first, ...judged.map((c) => freshnessLine(c, r.maxAgeSeconds)), ...tail].join('\n');
}

interface StatusOptions {
  db?: string;
  json?: boolean;
  limit: number;
  check?: boolean;
  maxAge?: number;
}

export function statusCommand(io: Io, setExit: (code: number) => void = () => {}): Command {
  return new Command('status')
    .summary('show recent runs, per-collection counts, the age of each delta state and of the last full round; --check for monitoring')
    .option('--db <path>', 'database file (env ENTRA_DB)')
    .option('--json', 'print the status as JSON on stdout')
    .option('--limit <n>', 'how many recent runs to show', wholeNumber('--limit'), 10)
    .option('--check', 'monitoring: exit 6 unless every collection had a complete pull within --max-age and its last attempt did not fail')
    .addOption(
      new Option('--max-age <duration>', 'with --check: the oldest acceptable complete pull (3600, 90m, 26h)').argParser(duration('--max-age')),
    )
    .addHelpText(
      'after',
      `
Examples:
  $ entra-extract status
  $ entra-extract status --db contoso.db --json --limit 3
  $ entra-extract status --check --max-age 26h   # for Nagios, cron or a health probe

Needs no credentials: it only reads the database.

--check prints a first line "OK: ..." or "STALE: ...", then one line per collection
(ok, stale, failed, never, or skipped: a collection whose data the tenant's license does not
include, which is not an alarm; collections no run has ever pulled, as with a schedule that uses
--only, are named on a last line and not judged), and with --json the object
{ok, maxAgeSeconds, collections: [{collection, status, lastSuccessAt, ageSeconds, lastOutcome, error}]}.
--max-age defaults to 26h (a daily pull, with 2 hours of slack).

Exit codes:
  0  success (--check: every collection is fresh)
  1  fatal: no database, or not a readable entra-extract database
  2  usage error
  6  (--check) a collection's last complete pull is older than --max-age, its last
     attempt failed, or it never completed`,
    )
    .action((opts: StatusOptions) => {
      if (opts.maxAge !== undefined && !opts.check) throw new UsageError('--max-age only applies with --check');
      const config = loadConfig({ env: io.env, cwd: io.cwd, flags: { db: opts.db }, require: 'database' });
      if (opts.check) {
        const report = checkFreshness(config.dbPath, CONNECTORS.map((c) => c.name), opts.maxAge ?? DEFAULT_MAX_AGE_MS);
        io.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatFreshness(report)}\n`);
        setExit(report.ok ? 0 : 6);
        return;
      }
      const report = readStatus(config.dbPath, opts.limit);
      io.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatStatus(report)}\n`);
    });
}
