import type { Db, LinkKeyColumns } from '../store/index.js';
import { APP, ENTITY_CATEGORY, METADATA_VERSION, SOURCE_SYSTEM } from './balkanid-format.js';
import type { CsvFile } from './csv-file.js';
import { delegatedScopes } from './delegated-scopes.js';
import type { Metadata } from './entity-metadata.js';

interface RelationReadRow extends LinkKeyColumns {
  data: string | null;
  has_source: 0 | 1;
  has_target: 0 | 1;
  target_name: string | null;
  role_value: string | null;
  resource_name: string | null;
}

/** What a relation row says in BalkanID's terms: the privilege, the kind of connection, and any detail beside. */
interface Privilege {
  privilegeName: string;
  connectionType: string;
  extra?: Metadata;
}

const nameOf = (r: RelationReadRow) => r.target_name ?? r.target_id;

/**
 * The mapping of each relation of CONTRACT.md section 4 (schemas/export.md has it as a table). The
 * parent is the holder, the child what is held, as the relation's source and target already are.
 * reportsTo (manager) and appRoleOf (an app role's service principal) describe structure, not
 * access: they are in entities.csv's metadata (managerId, resourceId) and have no row here.
 */
export function privilegeOf(r: RelationReadRow): Privilege | null {
  switch (r.relation) {
    case 'memberOf':
      if (r.target_type === 'directoryRole') return { privilegeName: nameOf(r), connectionType: 'role' };
      if (r.target_type === 'administrativeUnit') return { privilegeName: 'member', connectionType: 'administrativeUnit' };
      return { privilegeName: 'member', connectionType: 'group' };
    case 'ownerOf':
      return { privilegeName: 'owner', connectionType: 'owner' };
    case 'hasRole':
      return { privilegeName: nameOf(r), connectionType: 'roleAssignment', extra: { scope: r.scope } };
    case 'hasAppRole': {
      const resourceId = r.target_id.slice(0, Math.max(0, r.target_id.indexOf('/')));
      return {
        privilegeName: r.role_value || r.target_name || r.target_id,
        connectionType: 'appRole',
        extra: { resourceId, ...(r.resource_name !== null ? { resourceName: r.resource_name } : {}) },
      };
    }
    case 'licensedWith':
      return { privilegeName: nameOf(r), connectionType: 'license' };
    case 'delegatedGrant': {
      const s = delegatedScopes(r.data);
      return {
        privilegeName: s.all.join(' '),
        connectionType: 'delegatedGrant',
        extra: {
          ...(s.allPrincipals.length > 0 ? { allPrincipalsScopes: s.allPrincipals.join(' ') } : {}),
          ...(s.principals > 0 ? { principalScopes: s.principal.join(' '), principals: s.principals } : {}),
        },
      };
    }
    default:
      return null;
  }
}

export interface RelationsWritten {
  /** Rows written per relation. */
  rows: Record<string, number>;
  /** Effective rows left out because an end is not in entities.csv (a device member), by `relation source_type→target_type`. */
  leftOut: Record<string, number>;
}

/**
 * Streams the effective relations (the view effective_relations: live rows, both ends live) into
 * entity_relations.csv in primary-key order. A row whose end has no exported entity (a device, an
 * object of a collection not pulled) is left out and counted, so every parent and child of the file
 * is in entities.csv.
 */
export function writeBalkanidRelations(db: Db, file: CsvFile, project: string, exportedTypes: readonly string[]): RelationsWritten {
  const exported = new Set(exportedTypes);
  const rows: Record<string, number> = {};
  const leftOut: Record<string, number> = {};
  const sql = `
    SELECT r.relation, r.source_type, r.source_id, r.target_type, r.target_id, r.scope, r.data,
           s.id IS NOT NULL AS has_source, t.id IS NOT NULL AS has_target, t.display_name AS target_name,
           CASE WHEN r.target_type = 'appRole' THEN t.data ->> '$.value' END AS role_value,
           CASE WHEN r.target_type = 'appRole' THEN sp.display_name END AS resource_name
    FROM effective_relations r
    LEFT JOIN entities s ON s.entity_type = r.source_type AND s.id = r.source_id
    LEFT JOIN entities t ON t.entity_type = r.target_type AND t.id = r.target_id
    LEFT JOIN entities sp ON r.target_type = 'appRole' AND sp.entity_type = 'servicePrincipal' AND sp.id = substr(r.target_id, 1, instr(r.target_id, '/') - 1)
    WHERE r.relation NOT IN ('reportsTo', 'appRoleOf')
    ORDER BY r.relation, r.source_type, r.source_id, r.target_type, r.target_id, r.scope`;
  for (const r of db.prepare(sql).iterate() as Iterable<RelationReadRow>) {
    const ends = r.has_source === 1 && r.has_target === 1 && exported.has(r.source_type) && exported.has(r.target_type);
    const privilege = ends ? privilegeOf(r) : null;
    if (!privilege) {
      const key = `${r.relation} ${r.source_type}→${r.target_type}`;
      leftOut[key] = (leftOut[key] ?? 0) + 1;
      continue;
    }
    const metadata = {
      project,
      privilegeName: privilege.privilegeName,
      privilegeValue: 'true',
      connectionType: privilege.connectionType,
      ...privilege.extra,
    };
    file.write([
      APP, r.source_id, ENTITY_CATEGORY[r.source_type]!, r.target_id, ENTITY_CATEGORY[r.target_type]!, SOURCE_SYSTEM, METADATA_VERSION,
      JSON.stringify(metadata),
    ]);
    rows[r.relation] = (rows[r.relation] ?? 0) + 1;
  }
  return { rows, leftOut };
}
