import type { Db } from '../store/index.js';
import { APP, ENTITY_CATEGORY, METADATA_VERSION, SOURCE_SYSTEM } from './balkanid-format.js';
import type { CsvFile } from './csv-file.js';
import {
  administrativeUnitMetadata, applicationMetadata, appRoleMetadata, directoryRoleMetadata, groupMetadata, roleDefinitionMetadata,
  servicePrincipalMetadata, subscribedSkuMetadata, userMetadata, type Metadata,
} from './entity-metadata.js';

type Data = Record<string, unknown>;

interface EntityReadRow {
  id: string;
  display_name: string | null;
  data: string;
  /** user: the manager (reportsTo); appRole: the service principal that defines it. */
  other_id: string | null;
  /** user: the manager's UPN; appRole: the service principal's display name. */
  other_name: string | null;
}

interface TypeReader {
  type: string;
  sql: string;
  metadata: (data: Data, row: EntityReadRow) => Metadata;
  name?: (data: Data, row: EntityReadRow) => string | null;
}

const plain = (type: string, metadata: (d: Data) => Metadata): TypeReader => ({
  type,
  sql: `SELECT id, display_name, data, NULL AS other_id, NULL AS other_name FROM entities
        WHERE entity_type = '${type}' AND deleted_at IS NULL ORDER BY id`,
  metadata: (d) => metadata(d),
});

/**
 * One reader per entity type, in entity_type order (the primary key's), each in id order. A user's
 * manager (reportsTo) and an app role's service principal (appRoleOf) are structure, not access:
 * they go into these entities' metadata instead of entity_relations.csv.
 */
const READERS: readonly TypeReader[] = [
  plain('administrativeUnit', administrativeUnitMetadata),
  {
    type: 'appRole',
    sql: `SELECT e.id, e.display_name, e.data, substr(e.id, 1, instr(e.id, '/') - 1) AS other_id, sp.display_name AS other_name
          FROM entities e
          LEFT JOIN entities sp ON sp.entity_type = 'servicePrincipal' AND sp.id = substr(e.id, 1, instr(e.id, '/') - 1)
          WHERE e.entity_type = 'appRole' AND e.deleted_at IS NULL ORDER BY e.id`,
    metadata: (d, r) => appRoleMetadata(d, { resourceId: r.other_id ?? '', resourceName: r.other_name }),
    // 'Default Access' alone names thousands of roles: the service principal makes it one.
    name: (d, r) => {
      const role = r.display_name ?? (typeof d.value === 'string' ? d.value : null);
      return role !== null && r.other_name !== null ? `${role} (${r.other_name})` : role;
    },
  },
  plain('application', applicationMetadata),
  plain('directoryRole', directoryRoleMetadata),
  plain('group', groupMetadata),
  plain('roleDefinition', roleDefinitionMetadata),
  plain('servicePrincipal', servicePrincipalMetadata),
  plain('subscribedSku', subscribedSkuMetadata),
  {
    type: 'user',
    sql: `SELECT e.id, e.display_name, e.data, m.target_id AS other_id, mu.data ->> '$.userPrincipalName' AS other_name
          FROM entities e
          LEFT JOIN effective_relations m
            ON m.relation = 'reportsTo' AND m.source_type = 'user' AND m.source_id = e.id AND m.target_type = 'user'
          LEFT JOIN entities mu ON mu.entity_type = 'user' AND mu.id = m.target_id
          WHERE e.entity_type = 'user' AND e.deleted_at IS NULL ORDER BY e.id, m.target_id`,
    metadata: (d, r) => userMetadata(d, { managerId: r.other_id, managerUsername: r.other_name }),
    name: (d, r) => r.display_name ?? (typeof d.userPrincipalName === 'string' ? d.userPrincipalName : null),
  },
];

/** The entity types entities.csv holds, in file order. */
export const EXPORTED_ENTITY_TYPES = READERS.map((r) => r.type);

/**
 * Streams every live entity into entities.csv, type by type and id by id. Returns the rows per
 * entity_type.
 */
export function writeBalkanidEntities(db: Db, file: CsvFile): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const reader of READERS) {
    let n = 0;
    let previous: string | undefined;
    for (const row of db.prepare(reader.sql).iterate() as Iterable<EntityReadRow>) {
      if (row.id === previous) continue; // a second live manager link (never expected): the first one
      previous = row.id;
      const data = JSON.parse(row.data) as Data;
      const name = (reader.name ? reader.name(data, row) : row.display_name) ?? row.id;
      file.write([
        APP, name, ENTITY_CATEGORY[reader.type]!, SOURCE_SYSTEM, row.id, reader.type, METADATA_VERSION,
        JSON.stringify(reader.metadata(data, row)),
      ]);
      n++;
    }
    counts[reader.type] = n;
  }
  return counts;
}
