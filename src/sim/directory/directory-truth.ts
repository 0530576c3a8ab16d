import type { Props } from '../tenant/tenant-types.js';
import { ADMINISTRATIVE_UNIT_PROPERTIES, APPLICATION_PROPERTIES, DIRECTORY_ROLE_PROPERTIES, SERVICE_PRINCIPAL_PROPERTIES } from './catalogs.js';
import type { DirectoryData } from './directory-data.js';
import type { DirectoryTruth, DirectoryTruthEntity, DirectoryTruthRelation, GrantRec, TrackedRec } from './directory-types.js';
import { DEFAULT_ACCESS_ROLE, type AppRole } from './graph-permissions.js';
import { iso } from './object-builders.js';

/**
 * What a client database must hold after a complete pull of the apps-and-roles collections
 * (CONTRACT.md 4): live objects, and relations whose two ends are live. Entity data is the object as
 * served with every modelled property, minus what a client never stores: passwordCredentials'
 * secretText and hint, keyCredentials' key.
 */
export function directoryTruth(d: DirectoryData, o: { memberReadHidden?: boolean }): DirectoryTruth {
  const entities: DirectoryTruthEntity[] = [];
  const relations: DirectoryTruthRelation[] = [];
  const softDeleted: DirectoryTruth['softDeleted'] = [];
  const rel = (relation: DirectoryTruthRelation['relation'], sourceId: string, targetType: string, targetId: string, scope = '', data: unknown = null): void => {
    relations.push({ relation, sourceType: d.typeOf(sourceId) as string, sourceId, targetType, targetId, scope, data });
  };
  const { sps, apps } = d.registry;

  for (const sp of sps.recs.values()) {
    if (sp.state !== 'live') { softDeleted.push({ type: 'servicePrincipal', id: sp.id }); continue; }
    entities.push(entity('servicePrincipal', sp, SERVICE_PRINCIPAL_PROPERTIES));
    for (const role of [DEFAULT_ACCESS_ROLE, ...(sp.props.appRoles as AppRole[])]) {
      const id = `${sp.id}/${role.id}`;
      entities.push({ type: 'appRole', id, displayName: role.displayName, data: { ...role } });
      relations.push({ relation: 'appRoleOf', sourceType: 'appRole', sourceId: id, targetType: 'servicePrincipal', targetId: sp.id, scope: '', data: null });
    }
    for (const owner of sp.links) if (d.isLive(owner)) rel('ownerOf', owner, 'servicePrincipal', sp.id);
  }
  for (const app of apps.recs.values()) {
    if (app.state !== 'live') { softDeleted.push({ type: 'application', id: app.id }); continue; }
    entities.push(entity('application', app, APPLICATION_PROPERTIES));
    for (const owner of app.links) if (d.isLive(owner)) rel('ownerOf', owner, 'application', app.id);
  }
  for (const role of d.roles.roles.recs.values()) {
    entities.push(entity('directoryRole', role, DIRECTORY_ROLE_PROPERTIES));
    for (const m of role.links) if (d.isLive(m)) rel('memberOf', m, 'directoryRole', role.id);
  }
  for (const def of d.roles.definitions.values()) {
    entities.push({ type: 'roleDefinition', id: def.id, displayName: def.props.displayName as string, data: { id: def.id, ...def.props } });
  }
  for (const a of d.roles.assignments.values()) {
    if (!d.isLive(a.principalId) || !d.roles.definitions.has(a.roleDefinitionId)) continue;
    rel('hasRole', a.principalId, 'roleDefinition', a.roleDefinitionId, a.directoryScopeId, { assignmentId: a.id, appScopeId: a.appScopeId });
  }
  for (const unit of d.units.recs.values()) {
    if (unit.state !== 'live') { softDeleted.push({ type: 'administrativeUnit', id: unit.id }); continue; }
    entities.push(entity('administrativeUnit', unit, ADMINISTRATIVE_UNIT_PROPERTIES));
    if (unit.props.visibility === 'HiddenMembership' && !o.memberReadHidden) continue;
    for (const m of unit.links) if (d.isLive(m)) rel('memberOf', m, 'administrativeUnit', unit.id);
  }
  for (const a of d.appRoleAssignments.all()) {
    if (!d.isLive(a.principalId) || !sps.isLive(a.resourceId) || !d.registry.findAppRole(a.resourceId, a.appRoleId)) continue;
    rel('hasAppRole', a.principalId, 'appRole', `${a.resourceId}/${a.appRoleId}`, '', { assignmentId: a.id, createdDateTime: iso(a.createdAt * 1000) });
  }
  for (const [pair, grants] of grantsByPair(d.grants.values())) {
    const [client, resource] = pair.split('|') as [string, string];
    if (!sps.isLive(client) || !sps.isLive(resource)) continue;
    const list = grants.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .map((g) => ({ id: g.id, consentType: g.consentType, principalId: g.principalId, scope: g.scope }));
    rel('delegatedGrant', client, 'servicePrincipal', resource, '', { grants: list });
  }
  for (const sku of d.subscribedSkus()) {
    entities.push({ type: 'subscribedSku', id: sku.id as string, displayName: sku.skuPartNumber as string, data: sku });
  }
  return { entities, relations, softDeleted };
}

function entity(type: DirectoryTruthEntity['type'], rec: TrackedRec, names: string[]): DirectoryTruthEntity {
  return { type, id: rec.id, displayName: (rec.props.displayName as string | null | undefined) ?? null, data: storedData(rec.id, rec.props, names) };
}

/** The object as a client stores it: id and the modelled properties, credentials without their secrets. */
export function storedData(id: string, props: Props, names: string[]): Record<string, unknown> {
  const data: Record<string, unknown> = { id };
  for (const n of names) {
    const v = props[n];
    if (v === undefined) continue;
    data[n] = n === 'passwordCredentials' ? stripList(v, ['secretText', 'hint']) : n === 'keyCredentials' ? stripList(v, ['key']) : v;
  }
  return data;
}

function stripList(v: unknown, drop: string[]): unknown {
  if (!Array.isArray(v)) return v;
  return v.map((c: Record<string, unknown>) => Object.fromEntries(Object.entries(c).filter(([k]) => !drop.includes(k))));
}

function grantsByPair(all: Iterable<GrantRec>): Map<string, GrantRec[]> {
  const out = new Map<string, GrantRec[]>();
  for (const g of all) {
    const k = `${g.clientId}|${g.resourceId}`;
    let list = out.get(k);
    if (!list) out.set(k, (list = []));
    list.push(g);
  }
  return out;
}
