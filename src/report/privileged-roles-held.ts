import { GLOBAL_ADMINISTRATOR, isPrivilegedRole, roleRank } from './privileged-roles.js';
import { byName, cmp, type ReportContext } from './report-context.js';
import type { IdentityRef, RoleHolding } from './report-findings.js';
import type { LinkKeyColumns } from '../store/index.js';

export interface RoleInfo {
  name: string | null;
  templateId: string | null;
  privileged: boolean;
}

interface RoleLink extends LinkKeyColumns {
  first_seen_run: number | null;
}

/**
 * Every holder of a directory role: members of activated directory roles (memberOf → directoryRole)
 * and principals of unified role assignments (hasRole → roleDefinition, with their scope). A role held
 * by a role-assignable group is held by the group's direct members only (CONTRACT.md section 5;
 * https://learn.microsoft.com/entra/identity/role-based-access-control/groups-concept): they are
 * listed with `via`, the group itself too. The same assignment read both ways (a tenant-wide
 * assignment of a built-in role makes its principal a member of the activated role) is one row.
 * Privileged roles first (Global Administrator first of all), then by role, scope and holder.
 */
export function readRoleHoldings(ctx: ReportContext): RoleHolding[] {
  const { db, ids } = ctx;
  const roles = readRoleInfo(ctx);
  const membersOf = db.prepare(
    "SELECT source_type, source_id, first_seen_run FROM effective_relations WHERE relation = 'memberOf' AND target_type = 'group' AND target_id = ?",
  );
  type Member = { source_type: string; source_id: string; first_seen_run: number | null };
  const memberCache = new Map<string, Member[]>();
  const rows = new Map<string, RoleHolding & { seenRun: number }>();

  const add = (role: RoleInfo, roleKey: string, scope: string, holder: IdentityRef, via: RoleHolding['via'], source: 'directoryRole' | 'roleAssignment', seenRun: number) => {
    const key = [holder.type, holder.id, roleKey, scope, via?.id ?? ''].join('\u0000');
    const row = rows.get(key);
    if (row) {
      if (!row.sources.includes(source)) row.sources = [...row.sources, source].sort() as RoleHolding['sources'];
      if (seenRun < row.seenRun) row.seenRun = seenRun;
      return;
    }
    rows.set(key, {
      role: { name: role.name, templateId: role.templateId, privileged: role.privileged },
      ...describeScope(ctx, scope),
      holder, via, sources: [source], firstSeen: null, seenRun,
    });
  };

  const links = db.prepare(
    `SELECT relation, source_type, source_id, target_type, target_id, scope, first_seen_run FROM effective_relations
     WHERE relation = 'memberOf' AND target_type = 'directoryRole'
     UNION ALL
     SELECT relation, source_type, source_id, target_type, target_id, scope, first_seen_run FROM effective_relations WHERE relation = 'hasRole'`,
  ).all() as RoleLink[];
  for (const l of links) {
    const role = roles.get(`${l.target_type}\u0000${l.target_id}`) ?? { name: null, templateId: null, privileged: false };
    const roleKey = role.templateId ?? `${l.target_type}:${l.target_id}`;
    const scope = l.relation === 'hasRole' ? l.scope || '/' : '/';
    const source = l.relation === 'hasRole' ? 'roleAssignment' : 'directoryRole';
    const seen = l.first_seen_run ?? 0;
    if (l.source_type === 'user' || l.source_type === 'servicePrincipal' || l.source_type === 'group') {
      add(role, roleKey, scope, ids.ref(l.source_type, l.source_id), null, source, seen);
    }
    if (l.source_type !== 'group') continue;
    let members = memberCache.get(l.source_id);
    if (!members) {
      members = membersOf.all(l.source_id) as Member[];
      memberCache.set(l.source_id, members);
    }
    const via = { id: l.source_id, name: ids.findGroup(l.source_id)?.name ?? null };
    for (const m of members) {
      // Direct members only: a nested group's members do not hold the role, nor does a device.
      if (m.source_type !== 'user' && m.source_type !== 'servicePrincipal') continue;
      add(role, roleKey, scope, ids.ref(m.source_type, m.source_id), via, source, Math.max(seen, m.first_seen_run ?? 0));
    }
  }
  const out = [...rows.values()].map(({ seenRun, ...row }) => ({ ...row, firstSeen: ctx.runStart(seenRun) }));
  return out.sort(byRole);
}

function byRole(a: RoleHolding, b: RoleHolding): number {
  return roleRank(a.role.templateId, a.role.privileged) - roleRank(b.role.templateId, b.role.privileged)
    || cmp(a.role.name, b.role.name) || cmp(a.role.templateId, b.role.templateId)
    || (a.scope === '/' ? 0 : 1) - (b.scope === '/' ? 0 : 1) || cmp(a.scopeName, b.scopeName) || cmp(a.scope, b.scope)
    || (a.holder.type === 'group' ? 1 : 0) - (b.holder.type === 'group' ? 1 : 0)
    || byName(a.holder, b.holder) || cmp(a.via?.id ?? null, b.via?.id ?? null);
}

/**
 * Activated directory roles and role definitions, with their template id and whether they are
 * privileged, by `<entity type>\u0000<id>`.
 */
export function readRoleInfo(ctx: ReportContext): Map<string, RoleInfo> {
  const defs = ctx.db.prepare(
    `SELECT id, display_name, data ->> '$.templateId', data ->> '$.isBuiltIn', json_extract(data, '$.isPrivileged')
     FROM entities WHERE entity_type = 'roleDefinition' AND deleted_at IS NULL`,
  ).raw().all() as [string, string | null, string | null, number | null, number | null][];
  const flagByTemplate = new Map<string, boolean>();
  const out = new Map<string, RoleInfo>();
  for (const [id, name, template, builtIn, flag] of defs) {
    // A built-in definition's id is its template id; a custom one has its own id and no template.
    const templateId = template ?? (builtIn === 1 ? id : null);
    const isPrivileged = flag === null ? undefined : flag === 1;
    if (templateId && isPrivileged !== undefined) flagByTemplate.set(templateId, isPrivileged);
    out.set(`roleDefinition\u0000${id}`, { name, templateId: templateId ?? id, privileged: isPrivilegedRole(templateId, isPrivileged) });
  }
  const dirRoles = ctx.db.prepare(
    "SELECT id, display_name, data ->> '$.roleTemplateId' FROM entities WHERE entity_type = 'directoryRole' AND deleted_at IS NULL",
  ).raw().all() as [string, string | null, string | null][];
  for (const [id, name, templateId] of dirRoles) {
    out.set(`directoryRole\u0000${id}`, { name, templateId, privileged: isPrivilegedRole(templateId, templateId ? flagByTemplate.get(templateId) : undefined) });
  }
  return out;
}

function describeScope(ctx: ReportContext, scope: string): Pick<RoleHolding, 'scope' | 'scopeType' | 'scopeName'> {
  if (scope === '/') return { scope, scopeType: 'tenant', scopeName: null };
  const au = /^\/administrativeUnits\/([^/]+)$/.exec(scope);
  if (au) return { scope, scopeType: 'administrativeUnit', scopeName: ctx.nameOf('administrativeUnit', au[1]!) };
  const app = /^\/([0-9a-fA-F-]{36})$/.exec(scope);
  if (app) return { scope, scopeType: 'application', scopeName: ctx.nameOf('application', app[1]!) ?? ctx.nameOf('servicePrincipal', app[1]!) };
  return { scope, scopeType: 'other', scopeName: null };
}

/** Only GA held at the tenant scope counts as a Global Administrator. */
export function isGlobalAdministrator(r: RoleHolding): boolean {
  return r.role.templateId === GLOBAL_ADMINISTRATOR && r.scope === '/';
}
