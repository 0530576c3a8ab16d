import { UsageError } from '../errors/index.js';

/** Where a window starts: after a run (that run's changes excluded), or after a moment. */
export type SinceBound = { run: number } | { date: string };

const RUN_ID = /^\d+$/;
/** ISO-8601: a date, or a date and time with optional seconds, fraction and zone (none: UTC). */
const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * `--since`: a run id (digits: 0 means before the first run) or an ISO-8601 date or time. A date or a
 * time without a zone is UTC, so the answer does not depend on the machine's time zone.
 */
export function parseSince(value: string | number): SinceBound {
  if (typeof value === 'number') return { run: runId('--since', value) };
  const text = value.trim();
  if (RUN_ID.test(text)) return { run: runId('--since', Number(text)) };
  return { date: parseIsoTime(text) };
}

/** `--until`: a run id. */
export function parseUntil(value: string | number): number {
  const n = typeof value === 'number' ? value : RUN_ID.test(value.trim()) ? Number(value.trim()) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new UsageError(`--until must be a run id (a whole number of at least 1), not "${value}".`, {
      suggestion: '`entra-extract status` lists the runs.',
    });
  }
  return n;
}

function runId(option: string, n: number): number {
  if (!Number.isSafeInteger(n) || n < 0) throw new UsageError(`${option} must be a run id (0 or more) or an ISO-8601 date, not "${n}".`);
  return n;
}

/** The moment as ISO-8601 UTC with milliseconds: the format of changes.at, so text order is time order. */
function parseIsoTime(text: string): string {
  const m = ISO.exec(text);
  const bad = () =>
    new UsageError(`--since must be a run id or an ISO-8601 date or time (2026-03-01, 2026-03-01T08:00Z), not "${text}".`, {
      suggestion: 'A date or time without a zone is read as UTC.',
    });
  if (!m) throw bad();
  const [, y, mo, d, h, mi, s, zone] = m;
  const daysInMonth = new Date(Date.UTC(Number(y), Number(mo), 0)).getUTCDate();
  if (Number(mo) < 1 || Number(mo) > 12 || Number(d) < 1 || Number(d) > daysInMonth) throw bad();
  if (h !== undefined && (Number(h) > 23 || Number(mi) > 59 || Number(s ?? 0) > 59)) throw bad();
  const withZone = h === undefined ? `${text}T00:00:00Z` : zone === undefined ? `${text}Z` : text;
  const ms = Date.parse(withZone);
  if (Number.isNaN(ms)) throw bad();
  return new Date(ms).toISOString();
}
