import type { PullSummary } from '../pull/run-pull.js';

const fmt = (n: number) => n.toLocaleString('en-US');

/** The human-readable result of a pull, one line per collection. */
export function formatPullSummary(s: PullSummary): string {
  const lines = [
    `Run #${s.runId} ${s.outcome} in ${(s.durationMs / 1000).toFixed(1)} s — ${fmt(s.requests)} requests, ${fmt(s.throttled)} throttled, ${fmt(s.retries)} retries`,
    `  ${'collection'.padEnd(22)} ${'mode'.padEnd(5)} ${'objects'.padStart(10)} ${'removed'.padStart(8)} ${'links'.padStart(11)} ${'unlinked'.padStart(9)} ${'requests'.padStart(9)}  time`,
  ];
  for (const [name, c] of Object.entries(s.collections)) {
    lines.push(
      `  ${name.padEnd(22)} ${c.mode.padEnd(5)} ${fmt(c.upserts).padStart(10)} ${fmt(c.deletions).padStart(8)} ${fmt(c.linksUpserted).padStart(11)} ${fmt(c.linksDeleted).padStart(9)} ${fmt(c.requests).padStart(9)}  ${(c.durationMs / 1000).toFixed(1)} s${c.outcome === 'failed' ? `  FAILED: ${c.error}` : c.outcome === 'skipped' ? `  skipped: ${c.error}` : c.outcome === 'interrupted' ? '  stopped (the next pull resumes it)' : ''}${c.resyncs ? `  (resynced ${c.resyncs}×)` : ''}${c.resumed ? '  (resumed)' : ''}`,
    );
  }
  lines.push(`Database: ${s.database}`);
  return lines.join('\n');
}
