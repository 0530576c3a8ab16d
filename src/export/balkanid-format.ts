/** BalkanID's bulk-upload format (CONTRACT.md section 5; the mapping in schemas/export.md). */

export const ENTITIES_FILE = 'entities.csv';
export const RELATIONS_FILE = 'entity_relations.csv';

export const ENTITY_HEADER = ['App', 'Name', 'Entity Type', 'Source System', 'Source ID', 'Source Type', 'Metadata Version', 'Metadata'] as const;
export const RELATION_HEADER = [
  'App', 'Parent Entity Source ID', 'Parent Entity Type', 'Entity Source ID', 'Entity Type', 'Source System', 'Metadata Version', 'Metadata',
] as const;

/** The App column of every row: the system the data comes from, one value for every tenant (the tenant is each relation's `project`). */
export const APP = 'Microsoft Entra ID';
export const SOURCE_SYSTEM = 'azure';
export const METADATA_VERSION = 'v1';

export type EntityCategory = 'identity' | 'connection' | 'resource';

/**
 * BalkanID's Entity Type of each entity_type: people are identities; what grants access by being
 * held (groups, roles, app roles, units, licenses) are connections; the applications access is
 * granted to are resources. A service principal is the application's instance in the tenant, so it
 * is a resource too, also where it holds access itself (the parent of a relation).
 */
export const ENTITY_CATEGORY: Readonly<Record<string, EntityCategory>> = {
  user: 'identity',
  group: 'connection',
  directoryRole: 'connection',
  roleDefinition: 'connection',
  appRole: 'connection',
  administrativeUnit: 'connection',
  subscribedSku: 'connection',
  servicePrincipal: 'resource',
  application: 'resource',
};
