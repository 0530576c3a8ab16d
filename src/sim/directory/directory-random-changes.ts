import { mulberry32, type Rng } from '../tenant/prng.js';
import type { DirectoryData } from './directory-data.js';
import { DEFAULT_ACCESS_ROLE_ID, GRAPH_APP_ROLES, type AppRole } from './graph-permissions.js';
import { randomAppUpdate } from './random-app-updates.js';
import { AU_SCOPABLE, ROLE_TEMPLATES } from './role-templates.js';
import { consumedUnits } from './subscribed-skus.js';

const GRAPH_CONSENTS = ['openid profile User.Read', 'User.Read', 'User.Read Mail.Read', 'openid profile email offline_access User.Read'];

/**
 * About fraction × (service principals + applications + app role assignments + grants + role
 * assignments + role and unit members + units) random mutations of the directory, from its own
 * generator: deterministic for (state, seed). Returns counts by kind.
 */
export function directoryRandomChanges(d: DirectoryData, fraction: number, seed: number): Record<string, number> {
  const rng = mulberry32(seed);
  const st = d.stats();
  const total = Math.max(1, Math.round(fraction * (st.servicePrincipals + st.applications + st.appRoleAssignments + st.grants + st.roleAssignments
    + st.roleMembers + st.unitMembers + st.administrativeUnits)));
  const reg = d.registry;
  const t = d.tenant;
  const byKind: Record<string, number> = {};
  const count = (k: string | null): void => {
    if (k) byKind[k] = (byKind[k] ?? 0) + 1;
  };
  const users = [...t.users.keys()];
  const groups = [...t.groups.keys()];
  const devices = [...t.others.values()].filter((p) => p.type === 'device').map((p) => p.id);
  const spIds = [...reg.sps.recs.keys()];
  const appIds = [...reg.apps.recs.keys()];
  const unitIds = [...d.units.recs.keys()];
  const liveUser = (): string | undefined => pick(rng, users, (id) => t.isLive(id));
  const liveSp = (): string | undefined => pick(rng, spIds, (id) => reg.sps.isLive(id) && !reg.protectedSps.has(id));
  const liveApp = (): string | undefined => pick(rng, appIds, (id) => reg.apps.isLive(id));
  const liveUnit = (): string | undefined => pick(rng, unitIds, (id) => d.units.isLive(id));
  const enterpriseApp = (): string | undefined => pick(rng, spIds, (id) => reg.sps.isLive(id) && !reg.protectedSps.has(id) && reg.sps.get(id)!.props.servicePrincipalType === 'Application');

  for (let op = 0; op < total; op++) {
    const r = rng.next();
    if (r < 0.18) {
      // An app role assignment: a quarter of them a Microsoft Graph application permission.
      const graph = rng.chance(0.25);
      const resource = graph ? reg.graphSpId : enterpriseApp();
      const principal = graph ? liveSp() : rng.chance(0.85) ? liveUser() : rng.chance(0.6) ? pick(rng, groups, (id) => t.isLive(id)) : liveSp();
      if (!resource || !principal || principal === resource || !reg.sps.isLive(resource)) continue;
      const isSp = d.typeOf(principal) === 'servicePrincipal';
      const roles = reg.appRoles(resource).filter((x: AppRole) => x.allowedMemberTypes.includes(isSp ? 'Application' : 'User'));
      const roleId = roles.length > 0 && (graph || rng.chance(0.75)) ? rng.pick(roles).id : graph ? rng.pick(GRAPH_APP_ROLES).id : DEFAULT_ACCESS_ROLE_ID;
      if (d.addAppRoleAssignment(principal, resource, roleId)) count(graph ? 'graphPermissionGranted' : 'appRoleAssignmentAdded');
    } else if (r < 0.28) {
      const graph = rng.chance(0.25);
      const resource = graph ? reg.graphSpId : pick(rng, spIds, (id) => d.appRoleAssignments.forResource(id).size > 0);
      const set = resource ? d.appRoleAssignments.forResource(resource) : undefined;
      if (!set || set.size === 0) continue;
      const victim = nth(set, rng.int(0, set.size - 1));
      if (victim && d.removeAppRoleAssignment(victim.id)) count(graph ? 'graphPermissionRevoked' : 'appRoleAssignmentRemoved');
    } else if (r < 0.48) {
      const sp = rng.chance(0.5);
      const id = sp ? liveSp() : liveApp();
      if (id) count(randomAppUpdate(d, rng, { kind: sp ? 'sp' : 'app', id }));
    } else if (r < 0.53) {
      const target = rng.chance(0.5) ? liveSp() : liveApp();
      const rec = target ? reg.sps.get(target) ?? reg.apps.get(target) : undefined;
      if (!target || !rec) continue;
      if (rec.links.size > 0 && rng.chance(0.4)) {
        if (d.removeOwner(target, nth(rec.links, rng.int(0, rec.links.size - 1))!)) count('ownerRemoved');
      } else {
        const owner = rng.chance(0.9) ? liveUser() : liveSp();
        if (owner && owner !== target && d.addOwner(target, owner)) count('ownerAdded');
      }
    } else if (r < 0.6) {
      count(grantChange(d, rng, liveSp, enterpriseApp, liveUser));
    } else if (r < 0.68) {
      count(roleChange(d, rng, liveUser, liveSp, unitIds));
    } else if (r < 0.7) {
      const custom = [...d.roles.definitions.values()].filter((x) => x.props.isBuiltIn !== true);
      if (custom.length > 0 && rng.chance(0.4)) {
        d.removeCustomRoleDefinition(rng.pick(custom).id);
        count('roleDefinitionRemoved');
      } else {
        const id = d.addCustomRoleDefinition(`Custom Role ${seed}-${op}`);
        const u = liveUser();
        if (u) d.addRoleAssignment(u, id, '/');
        count('roleDefinitionAdded');
      }
    } else if (r < 0.8) {
      const unit = liveUnit();
      if (!unit) continue;
      const links = d.units.get(unit)!.links;
      if (links.size > 0 && rng.chance(0.4)) {
        if (d.removeAdministrativeUnitMember(unit, nth(links, rng.int(0, links.size - 1))!)) count('unitMemberRemoved');
      } else {
        const roll = rng.next();
        const m = roll < 0.85 ? liveUser() : roll < 0.95 ? pick(rng, groups, (id) => t.isLive(id)) : pick(rng, devices, (id) => t.isLive(id));
        if (m && d.addAdministrativeUnitMember(unit, m)) count('unitMemberAdded');
      }
    } else if (r < 0.86) {
      count(lifecycle(rng, unitIds, d.units, {
        create: () => {
          const id = d.createAdministrativeUnit();
          const u = liveUser();
          if (u) d.addAdministrativeUnitMember(id, u);
          return id;
        },
        update: (id) => d.updateAdministrativeUnit(id, { description: rng.chance(0.3) ? null : `Updated ${seed}-${op}` }).length > 0,
        soft: (id) => d.softDeleteAdministrativeUnit(id), restore: (id) => d.restoreAdministrativeUnit(id), hard: (id) => d.hardDeleteAdministrativeUnit(id),
      }, 'unit'));
    } else if (r < 0.93) {
      count(lifecycle(rng, appIds, reg.apps, {
        create: () => {
          const made = d.createApplication();
          if (made.servicePrincipalId) spIds.push(made.servicePrincipalId);
          const u = liveUser();
          if (u) d.addOwner(made.applicationId, u);
          return made.applicationId;
        },
        soft: (id) => d.softDeleteApplication(id), restore: (id) => d.restoreApplication(id), hard: (id) => d.hardDeleteApplication(id),
      }, 'application'));
    } else {
      const own = spIds.filter((id) => reg.ownSps.has(id) && !reg.protectedSps.has(id));
      count(lifecycle(rng, own, reg.sps, {
        create: () => {
          const id = d.createServicePrincipal();
          spIds.push(id);
          return id;
        },
        soft: (id) => d.softDeleteServicePrincipal(id), restore: (id) => d.restoreServicePrincipal(id), hard: (id) => d.hardDeleteServicePrincipal(id),
      }, 'servicePrincipal'));
    }
  }
  // Consumed units follow the users' licenses (the tenant's own random changes come first).
  const consumed = consumedUnits(d);
  for (const [skuId, sub] of d.skuSubscriptions) {
    const n = consumed.get(skuId) ?? 0;
    if (n !== sub.consumedSeen) count('skuConsumedUnitsChanged');
    sub.consumedSeen = n;
  }
  return byKind;
}

function grantChange(d: DirectoryData, rng: Rng, liveSp: () => string | undefined, app: () => string | undefined, liveUser: () => string | undefined): string | null {
  const roll = rng.next();
  const grants = [...d.grants.values()];
  if (roll < 0.3 && grants.length > 0) return d.removeGrant(rng.pick(grants).id) ? 'grantRemoved' : null;
  if (roll < 0.55 && grants.length > 0) {
    const g = rng.pick(grants);
    const scopes = g.scope.split(' ').filter(Boolean);
    const next = scopes.includes('Mail.Read') && scopes.length > 1 ? scopes.filter((s) => s !== 'Mail.Read') : [...scopes, 'Mail.Read'];
    return d.setGrantScope(g.id, next.join(' ')) ? 'grantScopeChanged' : null;
  }
  const client = app() ?? liveSp();
  const resource = d.registry.graphSpId;
  if (!client || client === resource || !d.registry.sps.isLive(resource)) return null;
  const user = rng.chance(0.5) ? liveUser() : undefined;
  return d.addGrant(client, resource, rng.pick(GRAPH_CONSENTS), user ?? null) ? 'grantAdded' : null;
}

function roleChange(d: DirectoryData, rng: Rng, liveUser: () => string | undefined, liveSp: () => string | undefined, unitIds: string[]): string | null {
  const assignments = [...d.roles.assignments.values()];
  if (assignments.length > 0 && rng.chance(0.4)) {
    const a = rng.pick(assignments);
    const member = a.directoryScopeId === '/' && d.roles.definitions.get(a.roleDefinitionId)?.props.isBuiltIn === true;
    return d.removeRoleAssignment(a.id) ? (member ? 'directoryRoleMemberRemoved' : 'roleAssignmentRemoved') : null;
  }
  const principal = rng.chance(0.85) ? liveUser() : liveSp();
  if (!principal) return null;
  const units = unitIds.filter((id) => d.units.has(id));
  if (units.length > 0 && rng.chance(0.1)) {
    return d.addRoleAssignment(principal, rng.pick(AU_SCOPABLE), `/administrativeUnits/${rng.pick(units)}`) ? 'roleAssignmentAdded' : null;
  }
  const before = d.roles.roles.recs.size;
  const made = d.addRoleAssignment(principal, rng.pick(ROLE_TEMPLATES).id, '/');
  if (!made) return null;
  return d.roles.roles.recs.size > before ? 'directoryRoleActivated' : 'directoryRoleMemberAdded';
}

interface Lifecycle {
  create(): string;
  update?(id: string): boolean;
  soft(id: string): void;
  restore(id: string): void;
  hard(id: string): void;
}

/** Create, update, soft delete, restore or permanently delete (a soft-deleted object half the time) one object. */
function lifecycle(rng: Rng, ids: string[], store: { get(id: string): { state: string } | undefined }, ops: Lifecycle, name: string): string | null {
  const roll = rng.next();
  const inState = (s: string): string | undefined => pick(rng, ids, (id) => store.get(id)?.state === s);
  if (roll < 0.3) {
    ids.push(ops.create());
    return `${name}Created`;
  }
  if (roll < 0.45 && ops.update) {
    const id = inState('live');
    return id && ops.update(id) ? `${name}Updated` : null;
  }
  if (roll < 0.65) {
    const id = inState('live');
    if (!id) return null;
    ops.soft(id);
    return `${name}SoftDeleted`;
  }
  if (roll < 0.82) {
    const id = inState('soft');
    if (!id) return null;
    ops.restore(id);
    return `${name}Restored`;
  }
  const id = rng.chance(0.5) ? inState('soft') : inState('live');
  if (!id) return null;
  ops.hard(id);
  return `${name}HardDeleted`;
}

function pick(rng: Rng, ids: string[], ok: (id: string) => boolean): string | undefined {
  for (let i = 0; i < 20 && ids.length > 0; i++) {
    const id = ids[rng.int(0, ids.length - 1)]!;
    if (ok(id)) return id;
  }
  return undefined;
}

function nth<T>(set: Iterable<T>, n: number): T | undefined {
  let i = 0;
  for (const v of set) if (i++ === n) return v;
  return undefined;
}
