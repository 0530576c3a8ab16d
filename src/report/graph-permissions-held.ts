import { highPrivilegePermission, MICROSOFT_GRAPH_APP_ID } from './graph-permissions.js';
import { byName, cmp, type ReportContext } from './report-context.js';
import type { AppPermissionHolding, DelegatedGrantFinding } from './report-findings.js';

/**
 * High-privilege Microsoft Graph permissions held: application permissions (app roles of the
 * Microsoft Graph service principal, appId 00000003-0000-0000-c000-000000000000, matched on the
 * role's `value`), and delegated scopes consented for every user (consentType AllPrincipals). Best
 * tier first, then by permission and holder. Empty when the tenant's Graph service principal was not
 * read (servicePrincipals not pulled).
 */
export function readGraphPermissions(ctx: ReportContext): { appPermissions: AppPermissionHolding[]; delegatedGrants: DelegatedGrantFinding[] } {
  const graph = ctx.ids.servicePrincipalByAppId(MICROSOFT_GRAPH_APP_ID);
  if (!graph) return { appPermissions: [], delegatedGrants: [] };
  const resource = { id: graph.id, name: graph.name };
  // appRole ids are '<servicePrincipal id>/<appRole id>': the range holds exactly Graph's roles.
  const low = `${graph.id}/`;
  const high = `${graph.id}0`;
  const values = new Map<string, string | null>(
    ctx.db.prepare("SELECT id, data ->> '$.value' FROM entities WHERE entity_type = 'appRole' AND id >= ? AND id < ? AND deleted_at IS NULL")
      .raw().all(low, high) as [string, string | null][],
  );

  const appPermissions: AppPermissionHolding[] = [];
  const held = ctx.db.prepare(
    "SELECT source_type, source_id, target_id, first_seen_run FROM effective_relations WHERE relation = 'hasAppRole' AND target_type = 'appRole' AND target_id >= ? AND target_id < ?",
  ).raw().iterate(low, high) as Iterable<[string, string, string, number | null]>;
  for (const [type, id, role, run] of held) {
    const p = highPrivilegePermission(values.get(role) ?? null, 'application');
    if (!p) continue;
    appPermissions.push({ holder: ctx.ids.ref(type, id), permission: p.value, tier: p.tier, why: p.why, resource, firstSeen: ctx.runStart(run) });
  }
  appPermissions.sort((a, b) => a.tier - b.tier || cmp(a.permission, b.permission) || byName(a.holder, b.holder));

  const delegatedGrants: DelegatedGrantFinding[] = [];
  const grants = ctx.db.prepare(
    "SELECT source_type, source_id, data FROM effective_relations WHERE relation = 'delegatedGrant' AND target_type = 'servicePrincipal' AND target_id = ?",
  ).raw().iterate(graph.id) as Iterable<[string, string, string | null]>;
  for (const [type, id, data] of grants) {
    const allScopes = allPrincipalScopes(data);
    const high = allScopes.map((s) => highPrivilegePermission(s, 'delegated')).filter((p) => p !== undefined);
    if (high.length === 0) continue;
    high.sort((a, b) => a.tier - b.tier || cmp(a.value, b.value));
    delegatedGrants.push({ client: ctx.ids.ref(type, id), resource, scopes: high.map((p) => p.value), tier: high[0]!.tier, allScopes });
  }
  delegatedGrants.sort((a, b) => a.tier - b.tier || byName(a.client, b.client));
  return { appPermissions, delegatedGrants };
}

/**
 * The scopes of a delegatedGrant link's grants consented for all principals: its data is
 * {grants: [{id, consentType, principalId, scope}]}, `scope` space-separated
 * (https://learn.microsoft.com/graph/api/resources/oauth2permissiongrant).
 */
export function allPrincipalScopes(data: string | null): string[] {
  let grants: unknown;
  try {
    grants = (JSON.parse(data ?? '{}') as { grants?: unknown }).grants;
  } catch {
    return [];
  }
  const scopes = new Set<string>();
  for (const g of Array.isArray(grants) ? grants : []) {
    const grant = (g ?? {}) as { consentType?: unknown; scope?: unknown };
    if (grant.consentType !== 'AllPrincipals' || typeof grant.scope !== 'string') continue;
    for (const s of grant.scope.split(/\s+/)) if (s) scopes.add(s);
  }
  return [...scopes].sort(cmp);
}
