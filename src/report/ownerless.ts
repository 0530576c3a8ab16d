import { byName, cmp, type ReportContext } from './report-context.js';
import type { AppObjectRef, IdentityRef, OwnerlessFinding } from './report-findings.js';

/**
 * The tenants Microsoft's first-party apps belong to (their service principals' appOwnerOrganizationId):
 * f8cdef31-... "Microsoft Services" and 72f988bf-..., Microsoft's own. Such a service principal has no
 * owner in a customer tenant, by design.
 */
const MICROSOFT_TENANTS = new Set(['f8cdef31-a31e-4b4a-93e4-5f571e91255a', '72f988bf-86f1-41af-91ab-2d7cd011db47']);

/**
 * Section 5: app registrations and service principals nobody answers for. `noOwner`: no live owner;
 * `onlyDisabledOwners`: owners exist but every one is a disabled account (a disabled owner still
 * counts as an owner in Entra and can be re-enabled, so it is a separate note, not "no owner").
 * Service principals of Microsoft's first-party apps and managed identities have no owners by design
 * and are left out.
 */
export function readOwnerless(ctx: ReportContext): { rows: OwnerlessFinding[] } {
  const owners = new Map<string, IdentityRef[]>();
  const links = ctx.db.prepare(
    "SELECT source_type, source_id, target_type, target_id FROM effective_relations WHERE relation = 'ownerOf' AND target_type IN ('application', 'servicePrincipal')",
  ).raw().iterate() as Iterable<[string, string, string, string]>;
  for (const [st, sid, tt, tid] of links) {
    const key = `${tt}\u0000${tid}`;
    const list = owners.get(key) ?? [];
    list.push(ctx.ids.ref(st, sid));
    owners.set(key, list);
  }
  const rows: OwnerlessFinding[] = [];
  const judge = (object: AppObjectRef, applicationOwners: number | null) => {
    const list = owners.get(`${object.type}\u0000${object.id}`) ?? [];
    if (list.length === 0) rows.push({ object, reason: 'noOwner', owners: [], applicationOwners });
    else if (list.every((o) => o.enabled === false)) rows.push({ object, reason: 'onlyDisabledOwners', owners: list.sort(byName), applicationOwners });
  };
  const appOwners = new Map<string, number>();
  const apps = ctx.db.prepare("SELECT id, display_name, data ->> '$.appId' FROM entities WHERE entity_type = 'application' AND deleted_at IS NULL").raw().all() as [string, string | null, string | null][];
  for (const [id, name, appId] of apps) {
    if (appId) appOwners.set(appId, owners.get(`application\u0000${id}`)?.length ?? 0);
    judge({ type: 'application', id, name, appId }, null);
  }
  for (const sp of ctx.ids.servicePrincipals) {
    if (sp.type === 'ManagedIdentity' || (sp.ownerTenant !== null && MICROSOFT_TENANTS.has(sp.ownerTenant))) continue;
    judge({ type: 'servicePrincipal', id: sp.id, name: sp.name, appId: sp.appId }, sp.appId ? appOwners.get(sp.appId) ?? null : null);
  }
  rows.sort((a, b) => cmp(a.reason, b.reason) || cmp(a.object.type, b.object.type) || byName(a.object, b.object));
  return { rows };
}
