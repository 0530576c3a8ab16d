import { Command } from 'commander';
import { wholeNumber } from './option-parsers.js';
import { loadConfig } from '../config/index.js';
import { readStatus, type StatusReport } from '../pull/read-status.js';
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
  lines.push('', 'Delta state:');
  if (s.syncState.length === 0) lines.push('  none yet: the next pull is a full one');
  for (const st of s.syncState) {
    let text = st.deltaAgeSeconds === null ? 'no deltaLink (next pull is full)' : `deltaLink ${age(st.deltaAgeSeconds)} old`;
    if (st.deltaAgeSeconds !== null && st.deltaAgeSeconds > DELTA_TOKEN_LIFETIME_S) text += ' — older than 7 days, Graph will ask for a full resync';
    text += st.lastFullAgeSeconds === null ? '; no complete full round yet' : `; last full round ${age(st.lastFullAgeSeconds)} ago`;
    if (st.round_mode) text += `; a ${st.round_mode} round is in progress since ${st.round_started_at} (the next pull resumes it)`;
    lines.push(`  ${st.collection.padEnd(22)} ${text}`);
  }
  lines.push('', 'Recent runs:');
  if (s.runs.length === 0) lines.push('  none');
  for (const r of s.runs) {
    const secs = r.ended_at ? ` in ${((Date.parse(r.ended_at) - Date.parse(r.started_at)) / 1000).toFixed(1)} s` : '';
    lines.push(`  #${r.id} ${r.started_at} ${r.command} ${r.outcome}${secs} — ${fmt(r.requests)} requests, ${fmt(r.throttled)} throttled, ${fmt(r.retries)} retries`);
    for (const c of r.collections) {
      lines.push(
        `      ${c.collection.padEnd(20)} ${c.mode.padEnd(5)} ${c.outcome.padEnd(11)} ${fmt(c.upserts)} objects written, ${fmt(c.deletions)} removed, ${fmt(c.links_upserted)} links written, ${fmt(c.links_deleted)} removed, ${fmt(c.pages)} pages${c.mode === 'full' && c.full_reason ? ` (full: ${c.full_reason})` : ''}${c.error ? ` — ${c.error}` : ''}`,
      );
    }
    if (r.error && r.collections.length === 0) lines.push(`      ${r.error}`);
  }
  return lines.join('\n');
}

export function statusCommand(io: Io): Command {
  return new Command('status')
    .summary('show recent runs, per-collection counts, the age of each delta state and of the last full round')
    .option('--db <path>', 'database file (env ENTRA_DB)')
    .option('--json', 'print the status as JSON on stdout')
    .option('--limit <n>', 'how many recent runs to show', wholeNumber('--limit'), 10)
    .addHelpText('after', '\nExamples:\n  $ entra-extract status\n  $ entra-extract status --db contoso.db --json --limit 3\n\nNeeds no credentials: it only reads the database.')
    .action((opts: { db?: string; json?: boolean; limit: number }) => {
      const config = loadConfig({ env: io.env, cwd: io.cwd, flags: { db: opts.db }, require: 'database' });
      const report = readStatus(config.dbPath, opts.limit);
      io.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatStatus(report)}\n`);
    });
}
