import { ceilUs, floorUs, parseInstant } from './graph-time.js';

/** An inclusive window of createdDateTime, in µs. */
export interface TimeWindow {
  loUs: number;
  hiUs: number;
}

export type FilterResult = { ok: true; window: TimeWindow } | { ok: false; code: string; message: string };

const CLAUSE = /^\(?\s*createdDateTime\s+(ge|gt|le|lt|eq)\s+([^\s()]+)\s*\)?$/i;
const ALL: TimeWindow = { loUs: -Infinity, hiUs: Infinity };

/**
 * The `$filter` the simulation models on auditLogs/signIns: comparisons of createdDateTime joined
 * with `and` (`ge`/`le` inclusive, `gt`/`lt` exclusive, `eq`), either bound alone, e.g.
 * `createdDateTime ge 2024-01-01T00:00:00Z and createdDateTime le 2024-01-02T00:00:00Z`
 * (https://learn.microsoft.com/graph/api/signin-list, graph-facts 3.3 and 5.1). Other filters Graph
 * supports (userPrincipalName, appId, startsWith(...)) answer 400 Request_UnsupportedQuery here.
 * Literals are unquoted DateTimeOffset values, compared to the 100 ns tick.
 */
export function parseSignInFilter(raw: string | null): FilterResult {
  if (raw === null) return { ok: true, window: ALL };
  const text = raw.trim();
  if (text === '') return { ok: false, code: 'Request_BadRequest', message: "Invalid filter clause: the '$filter' query option is empty." };
  let loUs = -Infinity;
  let hiUs = Infinity;
  for (const clause of text.split(/\s+and\s+/i)) {
    const m = CLAUSE.exec(clause.trim());
    if (!m) {
      return { ok: false, code: 'Request_UnsupportedQuery', message: `Unsupported or invalid filter clause '${clause.trim()}': the simulation models only comparisons of createdDateTime joined with 'and'.` };
    }
    const op = (m[1] as string).toLowerCase();
    const t = parseInstant(m[2] as string);
    if (!t) return { ok: false, code: 'Request_BadRequest', message: `Invalid filter clause: '${m[2]}' is not a valid DateTimeOffset literal.` };
    if (op === 'ge' || op === 'eq') loUs = Math.max(loUs, ceilUs(t));
    if (op === 'gt') loUs = Math.max(loUs, floorUs(t) + 1);
    if (op === 'le' || op === 'eq') hiUs = Math.min(hiUs, floorUs(t));
    if (op === 'lt') hiUs = Math.min(hiUs, ceilUs(t) - 1);
  }
  return { ok: true, window: { loUs, hiUs } };
}

