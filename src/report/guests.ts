import { accountFinding } from './account-finding.js';
import { byName, cmp, type ReportContext } from './report-context.js';
import type { GuestFinding, RoleHolding } from './report-findings.js';

/**
 * Section 4: guests (userType Guest) holding access, enabled or not. Those holding a directory role
 * first, then the ones holding most.
 */
export function readGuests(ctx: ReportContext, roles: readonly RoleHolding[]): { rows: GuestFinding[] } {
  const rolesOf = new Map<string, Set<string>>();
  for (const r of roles) {
    if (r.holder.type !== 'user') continue;
    const set = rolesOf.get(r.holder.id) ?? new Set<string>();
    set.add(r.role.name ?? r.role.templateId ?? '?');
    rolesOf.set(r.holder.id, set);
  }
  const rows: GuestFinding[] = [];
  for (let slot = 0; slot < ctx.ids.userCount; slot++) {
    if (!ctx.ids.isGuest(slot) || ctx.access.total(slot) === 0) continue;
    const row = accountFinding(ctx, slot);
    rows.push({ ...row, externalUserState: ctx.ids.externalUserStateOf(slot), roles: [...(rolesOf.get(row.identity.id) ?? [])].sort(cmp) });
  }
  rows.sort((a, b) => b.roles.length - a.roles.length || b.holds.total - a.holds.total || byName(a.identity, b.identity));
  return { rows };
}
