import { accountFinding } from './account-finding.js';
import { byName, type ReportContext } from './report-context.js';
import type { AccountFinding } from './report-findings.js';

/**
 * Section 4: disabled accounts (accountEnabled false: users and service principals) that still hold
 * access. Disabling stops sign-ins, but the access comes back with the account, and licenses keep
 * being paid for. The ones holding most first.
 */
export function readDisabledWithAccess(ctx: ReportContext): { rows: AccountFinding[] } {
  const rows: AccountFinding[] = [];
  for (let slot = 0; slot < ctx.ids.slots; slot++) {
    if (ctx.ids.enabledAt(slot) === false && ctx.access.total(slot) > 0) rows.push(accountFinding(ctx, slot));
  }
  rows.sort((a, b) => b.holds.total - a.holds.total || (a.identity.type === 'user' ? 0 : 1) - (b.identity.type === 'user' ? 0 : 1) || byName(a.identity, b.identity));
  return { rows };
}
