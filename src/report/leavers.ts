import { accountFinding } from './account-finding.js';
import { byName, daysBetween, type ReportContext } from './report-context.js';
import type { Leavers } from './report-findings.js';

/**
 * Section 4: leavers whose account is still enabled: employeeLeaveDateTime in the past. Graph
 * returns that property only to an app holding User-LifeCycleInfo.Read.All, so the users round reads
 * it only then: `leaveDateRead` says whether the last one did (from the users round's query).
 * Longest gone first.
 */
export function readLeavers(ctx: ReportContext): Leavers {
  const query = ctx.db.prepare("SELECT query FROM sync_state WHERE collection = 'users'").pluck().get() as string | null | undefined;
  const leaveDateRead = typeof query === 'string' ? query.includes('employeeLeaveDateTime') : null;
  const rows: Leavers['rows'] = [];
  for (let slot = 0; slot < ctx.ids.userCount; slot++) {
    const left = ctx.ids.leaveDateTime(slot);
    if (left === null || ctx.ids.enabledAt(slot) !== true || Date.parse(left) >= ctx.now) continue;
    rows.push({ ...accountFinding(ctx, slot), leaveDateTime: left, daysSinceLeave: daysBetween(left, ctx.now) });
  }
  rows.sort((a, b) => b.daysSinceLeave - a.daysSinceLeave || byName(a.identity, b.identity));
  return { leaveDateRead, rows };
}
