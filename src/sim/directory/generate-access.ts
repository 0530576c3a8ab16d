import type { Rng } from '../tenant/prng.js';
import type { DirectoryData } from './directory-data.js';
import type { DirectoryGenOptions } from './generate-directory.js';
import { GRAPH_CLI_APP_ID, GRAPH_ROLE_ID, type AppRole, type PermissionScope } from './graph-permissions.js';
import { assignmentId, unitProps } from './object-builders.js';
import { APP_SCOPABLE, AU_SCOPABLE, GLOBAL_ADMINISTRATOR, GLOBAL_READER, PRIVILEGED_ROLE_ADMINISTRATOR, APPLICATION_ADMINISTRATOR, ROLE_TEMPLATES } from './role-templates.js';

/**
 * Who holds what, generated after the service principals and applications: owners, app role
 * assignments (Graph application permissions first), delegated grants, administrative units and
 * their members, custom role definitions, activated roles and role assignments.
 */
export function generateAccess(d: DirectoryData, rng: Rng, o: DirectoryGenOptions): void {
  const t = d.tenant;
  const ctx: Ctx = {
    d, rng,
    users: [...t.users.keys()],
    groups: [...t.groups.keys()],
    devices: [...t.others.values()].filter((p) => p.type === 'device').map((p) => p.id),
    sps: [...d.registry.sps.recs.keys()],
    nonFirst: [...d.registry.sps.recs.keys()].filter((id) => !d.registry.protectedSps.has(id)),
  };
  generateOwners(ctx);
  generateAppRoleAssignments(ctx, o);
  generateGrants(ctx, o.grants ?? Math.max(6, Math.round(ctx.sps.length / 3)));
  generateUnits(ctx, o);
  generateRoles(ctx, o);
}

interface Ctx {
  d: DirectoryData;
  rng: Rng;
  users: string[];
  groups: string[];
  devices: string[];
  sps: string[];
  /** Service principals other than the first-party ones. */
  nonFirst: string[];
}

function generateOwners({ d, rng, users, nonFirst }: Ctx): void {
  if (users.length === 0) return;
  const { sps, apps } = d.registry;
  for (const app of apps.recs.values()) {
    if (!rng.chance(0.7)) continue;
    for (let k = rng.int(1, 2); k > 0; k--) app.links.add(rng.pick(users));
    if (nonFirst.length > 0 && rng.chance(0.05)) app.links.add(rng.pick(nonFirst));
  }
  for (const id of nonFirst) {
    const sp = sps.get(id)!;
    if (sp.props.appOwnerOrganizationId === d.tenantId && rng.chance(0.5)) sp.links.add(rng.pick(users));
  }
}

const GRAPH_POOL = ['User.Read.All', 'User.Read.All', 'Directory.Read.All', 'Directory.Read.All', 'Group.Read.All', 'GroupMember.Read.All',
  'Application.Read.All', 'Mail.Read', 'AuditLog.Read.All', 'Organization.Read.All', 'User.ReadWrite.All', 'Group.ReadWrite.All'];
/** The first holders get the permissions a review must flag; at least one holds RoleManagement.ReadWrite.Directory. */
const PRIVILEGED = [['RoleManagement.ReadWrite.Directory'], ['Application.ReadWrite.All', 'Directory.ReadWrite.All'], ['AppRoleAssignment.ReadWrite.All']];

/**
 * App role assignments: Graph application permissions held by service principals, then users, groups
 * and service principals on enterprise apps, skewed so that a few apps have many assignments.
 * Uniqueness (principal, resource, role) is checked with numeric keys: the benchmark makes 200,000.
 */
function generateAppRoleAssignments({ d, rng, users, groups, sps, nonFirst }: Ctx, o: DirectoryGenOptions): void {
  const reg = d.registry;
  const store = d.appRoleAssignments;
  const total = o.appRoleAssignments ?? 2 * users.length;
  const spIndex = new Map(sps.map((id, i) => [id, i]));
  const principals = users.concat(groups, sps);
  const R = sps.length;
  const keys = new Set<number>();
  const ref = Math.floor(d.referenceTime / 1000);
  const add = (p: number, r: number, k: number, appRoleId: string): boolean => {
    const key = (p * R + r) * 64 + k;
    if (keys.has(key)) return false;
    keys.add(key);
    const principalId = principals[p]!;
    store.add({ id: assignmentId(principalId, rng), appRoleId, principalId, resourceId: sps[r]!, createdAt: ref - rng.int(0, 3 * 365 * 86_400) });
    return true;
  };
  const graph = spIndex.get(reg.graphSpId)!;
  const graphRoles = reg.appRoles(reg.graphSpId);
  const holders = rng.shuffle([...nonFirst]).slice(0, o.graphPermissionHolders ?? Math.max(3, Math.round(sps.length * 0.15)));
  holders.forEach((h, i) => {
    const values = i < PRIVILEGED.length ? PRIVILEGED[i]! : Array.from({ length: rng.int(1, 4) }, () => rng.pick(GRAPH_POOL));
    for (const v of values) {
      const k = graphRoles.findIndex((r) => r.id === GRAPH_ROLE_ID[v]);
      add(users.length + groups.length + spIndex.get(h)!, graph, k + 1, graphRoles[k]!.id);
    }
  });
  // Enterprise apps (Application service principals other than first-party ones) take the rest.
  const apps = nonFirst.filter((id) => reg.sps.get(id)!.props.servicePrincipalType === 'Application').map((id) => spIndex.get(id)!);
  if (apps.length === 0 || principals.length === 0) return;
  const fits = new Map<number, { user: number[]; app: number[] }>();
  const rolesFor = (r: number): { user: number[]; app: number[] } => {
    let f = fits.get(r);
    if (!f) {
      const roles = reg.sps.get(sps[r]!)!.props.appRoles as AppRole[];
      f = { user: [], app: [] };
      roles.forEach((role, i) => {
        if (role.allowedMemberTypes.includes('User')) f!.user.push(i);
        if (role.allowedMemberTypes.includes('Application')) f!.app.push(i);
      });
      fits.set(r, f);
    }
    return f;
  };
  for (let attempts = 0; store.size < total && attempts < total * 3; attempts++) {
    const x = rng.next();
    const r = apps[Math.floor(apps.length * x * x)]!;
    const roll = rng.next();
    const p = roll < 0.85 && users.length > 0 ? rng.int(0, users.length - 1)
      : roll < 0.95 && groups.length > 0 ? users.length + rng.int(0, groups.length - 1)
        : users.length + groups.length + spIndex.get(rng.pick(nonFirst))!;
    if (principals[p] === sps[r]) continue;
    const f = rolesFor(r);
    const candidates = p >= users.length + groups.length ? f.app : f.user;
    const i = candidates.length > 0 && rng.chance(0.75) ? rng.pick(candidates) : -1;
    add(p, r, i + 1, i < 0 ? '00000000-0000-0000-0000-000000000000' : (reg.sps.get(sps[r]!)!.props.appRoles as AppRole[])[i]!.id);
  }
}

const GRAPH_CONSENTS = ['openid profile User.Read', 'openid profile email offline_access User.Read', 'User.Read', 'User.Read Mail.Read',
  'openid profile User.ReadBasic.All', 'User.Read Directory.Read.All'];
const USER_CONSENTS = ['User.Read Mail.Read', 'openid profile offline_access User.Read', 'Mail.Read'];

/** Delegated grants: admin consent (AllPrincipals) per client and resource, plus some users' own consent. */
function generateGrants({ d, rng, users, nonFirst }: Ctx, total: number): void {
  const reg = d.registry;
  const clients = nonFirst.filter((id) => reg.sps.get(id)!.props.servicePrincipalType === 'Application');
  const apis = nonFirst.filter((id) => (reg.sps.get(id)!.props.oauth2PermissionScopes as PermissionScope[]).length > 0);
  const cli = reg.spOfAppId(GRAPH_CLI_APP_ID);
  let made = 0;
  if (cli && users.length > 0) {
    for (let k = 0; k < 2; k++) if (d.addGrant(cli, reg.graphSpId, 'openid profile offline_access User.Read Directory.Read.All', rng.pick(users))) made++;
  }
  if (clients.length === 0) return;
  for (let attempts = 0; made < total && attempts < total * 5; attempts++) {
    const client = rng.pick(clients);
    const toApi = apis.length > 0 && rng.chance(0.2);
    const resource = toApi ? rng.pick(apis) : reg.graphSpId;
    if (resource === client) continue;
    const admin = d.addGrant(client, resource, toApi ? 'user_impersonation' : rng.pick(GRAPH_CONSENTS));
    if (admin) made++;
    if (users.length > 0 && !toApi && rng.chance(0.3)) {
      for (let k = rng.int(1, 3); k > 0 && made < total; k--) if (d.addGrant(client, resource, rng.pick(USER_CONSENTS), rng.pick(users))) made++;
    }
  }
}

function generateUnits({ d, rng, users, groups, devices }: Ctx, o: DirectoryGenOptions): void {
  const n = o.administrativeUnits ?? Math.max(3, Math.min(200, Math.floor(users.length / 200)));
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const id = rng.guid();
    // The last unit has hidden membership (the skew below gives it few members), the second is dynamic.
    d.units.insert(id, unitProps(rng, i + 1, { hidden: i === n - 1 && n > 1, ...(i === 1 ? { dynamic: true } : {}) }));
    ids.push(id);
  }
  if (ids.length === 0 || users.length === 0) return;
  const total = o.unitMemberships ?? Math.min(users.length, 30 * n);
  let made = 0;
  for (let attempts = 0; made < total && attempts < total * 3; attempts++) {
    const x = rng.next();
    // The hidden unit gets the first members, so it always has some.
    const unit = made < 3 ? ids[ids.length - 1]! : ids[Math.floor(ids.length * x * x)]!;
    const roll = rng.next();
    const member = roll < 0.85 || (groups.length === 0 && devices.length === 0) ? rng.pick(users)
      : roll < 0.95 && groups.length > 0 ? rng.pick(groups) : devices.length > 0 ? rng.pick(devices) : rng.pick(users);
    if (d.units.addLink(unit, member)) made++;
  }
}

const CUSTOM_ROLES = ['Contoso App Registration Manager', 'Contoso Helpdesk Lite', 'Contoso Group Reviewer', 'Contoso License Operator'];

function generateRoles({ d, rng, users, groups, nonFirst }: Ctx, o: DirectoryGenOptions): void {
  const roles = d.roles;
  const custom: string[] = [];
  for (let i = 0; i < (o.customRoleDefinitions ?? 2); i++) {
    const id = rng.guid();
    roles.addCustomDefinition(id, `${CUSTOM_ROLES[i % CUSTOM_ROLES.length]}${i >= CUSTOM_ROLES.length ? ` ${i}` : ''}`, 'Custom role of the simulated tenant.',
      ['microsoft.directory/applications/credentials/update', 'microsoft.directory/applications/owners/update']);
    custom.push(id);
  }
  const active = ROLE_TEMPLATES.slice(0, Math.min(o.directoryRoles ?? 8, ROLE_TEMPLATES.length)).map((r) => r.id);
  for (const tid of active) roles.activate(tid, rng.guid());
  if (users.length === 0) return;
  const newRoleId = (): string => rng.guid();
  const assignable = groups.filter((g) => d.tenant.groups.get(g)!.props.isAssignableToRole === true);
  const units = [...d.units.recs.keys()];
  const total = o.roleAssignments ?? Math.max(12, Math.floor(users.length / 50));
  const give = (principal: string, def: string, scope = '/'): boolean => roles.addAssignment(principal, def, scope, newRoleId) !== null;
  let made = 0;
  for (const [tid, n] of [[GLOBAL_ADMINISTRATOR, 2], [PRIVILEGED_ROLE_ADMINISTRATOR, 1], [APPLICATION_ADMINISTRATOR, 1]] as const) {
    if (!active.includes(tid)) continue;
    for (let k = 0; k < n; k++) if (give(rng.pick(users), tid)) made++;
  }
  if (active.includes(GLOBAL_READER) && nonFirst.length > 0 && give(rng.pick(nonFirst), GLOBAL_READER)) made++;
  for (let attempts = 0; made < total && attempts < total * 5; attempts++) {
    const roll = rng.next();
    let ok: boolean;
    if (roll < 0.08 && units.length > 0) ok = give(rng.pick(users), rng.pick(AU_SCOPABLE), `/administrativeUnits/${rng.pick(units)}`);
    else if (roll < 0.12 && custom.length > 0) ok = give(rng.chance(0.8) ? rng.pick(users) : rng.pick(nonFirst.length > 0 ? nonFirst : users), rng.pick(custom));
    else if (active.length > 0) {
      const p = rng.next();
      const principal = p < 0.85 || (assignable.length === 0 && nonFirst.length === 0) ? rng.pick(users)
        : p < 0.9 && assignable.length > 0 ? rng.pick(assignable) : rng.pick(nonFirst.length > 0 ? nonFirst : users);
      ok = give(principal, rng.pick(active));
    } else ok = false;
    if (ok) made++;
  }
  // One assignment scoped to a single application.
  const apps = [...d.registry.apps.recs.keys()];
  if (apps.length > 0) give(rng.pick(users), APP_SCOPABLE[0]!, `/${rng.pick(apps)}`);
}
