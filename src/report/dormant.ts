import { accountFinding } from './account-finding.js';
import { byName, type ReportContext } from './report-context.js';
import type { Dormant } from './report-findings.js';

const DAY_MS = 86_400_000;

/**
 * Section 3: enabled users who hold access and have had no successful sign-in for `dormantDays`, or
 * never (signInActivity null, or lastSuccessfulSignInDateTime null or 0001-01-01: Graph records
 * successful sign-ins since December 2023 only, so "never" means none since then). A user whose row
 * has no signInActivity at all (the signInActivity collection not pulled, or skipped for want of
 * Entra ID P1/P2) is not judged: counted in `unknown`. Never first, then the oldest sign-in first.
 * Service principals are not judged: Graph v1.0 has no sign-in activity for them.
 */
export function readDormant(ctx: ReportContext, dormantDays: number): Dormant {
  const cutoffMs = ctx.now - dormantDays * DAY_MS;
  const rows: Dormant['rows'] = [];
  let unknown = 0;
  let read = false;
  const { ids } = ctx;
  for (let slot = 0; slot < ids.userCount; slot++) {
    if (ids.signInKnown(slot)) read = true;
    if (ids.enabledAt(slot) !== true || ctx.access.total(slot) === 0) continue;
    if (!ids.signInKnown(slot)) {
      unknown++;
      continue;
    }
    const last = ids.lastSuccessfulMs(slot);
    if (last === null || last < cutoffMs) rows.push(accountFinding(ctx, slot));
  }
  const never = (r: { daysSinceSignIn: number | null }) => (r.daysSinceSignIn === null ? 0 : 1);
  rows.sort((a, b) => never(a) - never(b) || (b.daysSinceSignIn ?? 0) - (a.daysSinceSignIn ?? 0) || byName(a.identity, b.identity));
  return { dormantDays, cutoff: new Date(cutoffMs).toISOString(), signInActivityRead: read, unknown, rows };
}
