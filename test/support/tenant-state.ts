import type Database from 'better-sqlite3';
import type { Tenant } from '../../src/sim/tenant/index.js';
import { readDb } from './integration-helpers.js';

/** Every permission the twelve collections need, hidden memberships included. */
export const ALL_ROLES = [
  'User.Read.All', 'GroupMember.Read.All', 'RoleManagement.Read.Directory', 'AdministrativeUnit.Read.All', 'Member.Read.Hidden',
  'Application.Read.All', 'Directory.Read.All', 'LicenseAssignment.Read.All', 'AuditLog.Read.All',
];

/** Entity types the apps-and-roles collections own (users and groups are checked by expectTruth). */
export const DIRECTORY_TYPES = ['directoryRole', 'roleDefinition', 'administrativeUnit', 'servicePrincipal', 'application', 'appRole', 'subscribedSku'];

export interface WholeState {
  /** `type|id` → display name and data, for DIRECTORY_TYPES. */
  entities: Record<string, { displayName: string | null; data: unknown }>;
  /** Every effective link, `relation|sourceType|sourceId|targetType|targetId|scope` → data. */
  relations: Record<string, unknown>;
}

const linkKey = (r: { relation: string; sourceType: string; sourceId: string; targetType: string; targetId: string; scope?: string }) =>
  `${r.relation}|${r.sourceType}|${r.sourceId}|${r.targetType}|${r.targetId}|${r.scope ?? ''}`;

/** What the database holds: live directory objects whole, and effective links with their data. */
export function dbWholeState(path: string): WholeState {
  return readDb(path, (db: Database.Database) => {
    const entities: WholeState['entities'] = {};
    const rows = db.prepare(`SELECT entity_type, id, display_name, data FROM entities WHERE deleted_at IS NULL AND entity_type IN (${DIRECTORY_TYPES.map(() => '?').join(',')})`)
      .all(...DIRECTORY_TYPES) as { entity_type: string; id: string; display_name: string | null; data: string }[];
    for (const r of rows) entities[`${r.entity_type}|${r.id}`] = { displayName: r.display_name, data: JSON.parse(r.data) };
    const relations: WholeState['relations'] = {};
    const links = db.prepare('SELECT relation, source_type, source_id, target_type, target_id, scope, data FROM effective_relations').all() as {
      relation: string; source_type: string; source_id: string; target_type: string; target_id: string; scope: string; data: string | null;
    }[];
    for (const l of links) {
      relations[linkKey({ relation: l.relation, sourceType: l.source_type, sourceId: l.source_id, targetType: l.target_type, targetId: l.target_id, scope: l.scope })] =
        l.data === null ? null : JSON.parse(l.data);
    }
    return { entities, relations };
  });
}

/**
 * What a complete pull of every collection must hold: the users/groups links of the tenant's truth,
 * the apps-and-roles truth (objects whole, links with their data), and licensedWith derived from
 * the live users' assignedLicenses.
 */
export function expectedWholeState(tenant: Tenant, o: { tenantId: string; memberReadHidden?: boolean }): WholeState {
  const entities: WholeState['entities'] = {};
  const relations: WholeState['relations'] = {};
  for (const r of tenant.truth().relations) relations[linkKey(r)] = null;
  const d = tenant.directory.truth({ memberReadHidden: o.memberReadHidden });
  for (const e of d.entities) entities[`${e.type}|${e.id}`] = { displayName: e.displayName, data: e.data };
  for (const r of d.relations) relations[linkKey(r)] = r.data ?? null;
  for (const u of tenant.users.values()) {
    if (u.state !== 'live') continue;
    const held = (u.props.assignedLicenses as { skuId: string }[] | null | undefined) ?? [];
    for (const sku of new Set(held.map((l) => l.skuId))) {
      relations[linkKey({ relation: 'licensedWith', sourceType: 'user', sourceId: u.id, targetType: 'subscribedSku', targetId: `${o.tenantId}_${sku}` })] = null;
    }
  }
  return { entities, relations };
}

/** Differences, readable: keys missing, extra, or with other values (at most `limit` of each). */
export function diffStates(got: WholeState, want: WholeState, limit = 5): string[] {
  const out: string[] = [];
  for (const part of ['entities', 'relations'] as const) {
    const g = got[part] as Record<string, unknown>;
    const w = want[part] as Record<string, unknown>;
    const missing = Object.keys(w).filter((k) => !(k in g));
    const extra = Object.keys(g).filter((k) => !(k in w));
    const differ = Object.keys(w).filter((k) => k in g && JSON.stringify(sortKeys(g[k])) !== JSON.stringify(sortKeys(w[k])));
    if (missing.length) out.push(`${part} missing (${missing.length}): ${missing.slice(0, limit).join(', ')}`);
    if (extra.length) out.push(`${part} extra (${extra.length}): ${extra.slice(0, limit).join(', ')}`);
    for (const k of differ.slice(0, limit)) out.push(`${part} ${k}: got ${JSON.stringify(sortKeys(g[k]))} want ${JSON.stringify(sortKeys(w[k]))}`);
    if (differ.length > limit) out.push(`${part}: ${differ.length} differ in all`);
  }
  return out;
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v as object).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]));
  return v;
}
