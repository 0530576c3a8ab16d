import { afterEach, describe, expect, it } from 'vitest';
import { COLLECTION_NAMES } from '../../connectors/index.js';
import { createSimWorld, TENANT_ID, type SimWorld } from '../support/sim-world.js';
import { dbFile, expectObjectData, pull, readDb } from '../support/integration-helpers.js';
import { ALL_ROLES, dbWholeState, diffStates, expectedWholeState } from '../support/tenant-state.js';
import type { Tenant } from '../../src/sim/tenant/index.js';

const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';
const DIRECTORY_READ_ALL = '7ab1d382-f21e-4acd-a863-ba3e13f7da61';

let world: SimWorld | undefined;
afterEach(() => world?.close());

function smallWorld(o: { roles?: string[]; premium?: boolean } = {}): SimWorld {
  return createSimWorld({
    roles: o.roles ?? ALL_ROLES,
    tenant: { users: 120, groups: 20, memberships: 600, audit: { premium: o.premium ?? true } },
    // Small pages so every resource pages, owners and assignments included.
    graph: { directory: { deltaPageUnits: [10, 40], listPageSize: [5, 20], ownersPageSize: [1, 3], assignedToPageSize: [2, 9] } },
  });
}

function fullRead(path: string, runId: number, collection: string): string | null {
  return readDb(path, (db) => db.prepare('SELECT full_read FROM run_collections WHERE run_id = ? AND collection = ?').pluck().get(runId, collection) as string | null);
}

/** The database equals the tenant: every collection's objects whole, every link with its data, signInActivity on users. */
function expectWholeTenant(path: string, tenant: Tenant): void {
  const got = dbWholeState(path);
  const want = expectedWholeState(tenant, { tenantId: TENANT_ID, memberReadHidden: true });
  expect(diffStates(got, want)).toEqual([]);
  expectObjectData(path, tenant, new Set(ALL_ROLES));
  const activity = readDb(path, (db) =>
    db.prepare("SELECT id, data ->> '$.signInActivity' AS a FROM entities WHERE entity_type = 'user' AND deleted_at IS NULL").all()) as { id: string; a: string | null }[];
  const truth = tenant.audit.signInActivityTruth();
  expect(activity.length).toBe(truth.size);
  for (const { id, a } of activity) expect(a === null ? null : JSON.parse(a), id).toEqual(truth.get(id) ?? null);
}

describe('every collection against the simulated tenant', () => {
  it('a full pull equals the tenant; after random changes (assignments, grants, app roles, credentials removed) an incremental pull equals the new one', async () => {
    world = smallWorld();
    const path = dbFile();
    const first = await pull(world, path, { only: undefined });
    expect(Object.keys(first.collections)).toEqual([...COLLECTION_NAMES]);
    for (const name of COLLECTION_NAMES) expect(first.collections[name]!.outcome, `${name}: ${first.collections[name]!.error}`).toBe('success');
    expect(first.outcome).toBe('success');
    expectWholeTenant(path, world.tenant);
    // The full rounds of the four collections with a listing read by listing.
    for (const name of ['users', 'groups', 'directoryRoles', 'administrativeUnits']) expect(fullRead(path, first.runId, name), name).toBe('listing');

    const t = world.tenant;
    const changes = t.randomChanges(0.05, 4242);
    expect(Object.keys(changes.byKind).length).toBeGreaterThan(10);
    // And the removals a reviewer most needs to see, on purpose.
    const d = t.directory;
    const truth = d.truth();
    const assignment = truth.relations.find((r) => r.relation === 'hasAppRole')!;
    expect(d.removeAppRoleAssignment((assignment.data as { assignmentId: string }).assignmentId)).toBe(true);
    const grant = truth.relations.find((r) => r.relation === 'delegatedGrant')!;
    expect(d.removeGrant((grant.data as { grants: { id: string }[] }).grants[0]!.id)).toBe(true);
    const spWithRole = truth.entities.find((e) => e.type === 'appRole' && !e.id.endsWith('/00000000-0000-0000-0000-000000000000')
      && !e.id.startsWith(truth.entities.find((x) => x.type === 'servicePrincipal' && (x.data as { appId: string }).appId === GRAPH_APP_ID)!.id))!;
    const [spId, roleId] = spWithRole.id.split('/') as [string, string];
    d.removeAppRole(spId, roleId);
    const withSecret = truth.entities.find((e) => e.type === 'servicePrincipal' && ((e.data as { passwordCredentials: unknown[] }).passwordCredentials?.length ?? 0) > 0)!;
    d.updateServicePrincipal(withSecret.id, { passwordCredentials: [] });

    const second = await pull(world, path, { only: undefined });
    expect(second.outcome).toBe('success');
    for (const name of ['users', 'groups', 'directoryRoles', 'administrativeUnits', 'servicePrincipals', 'applications']) {
      expect(second.collections[name]!.mode, name).toBe('delta');
    }
    expectWholeTenant(path, t);
    // The removed app role is gone for good, with every assignment to it.
    const role = readDb(path, (db) => db.prepare("SELECT deleted_kind FROM entities WHERE entity_type = 'appRole' AND id = ?").get(spWithRole.id)) as { deleted_kind: string };
    expect(role.deleted_kind).toBe('permanent');
  });

  it('application permissions granted to apps are app role assignments on the Microsoft Graph service principal', async () => {
    world = smallWorld();
    const path = dbFile();
    // An app granted Microsoft Graph's Directory.Read.All (application permission) by an admin.
    const sps = world.tenant.directory.truth().entities.filter((e) => e.type === 'servicePrincipal');
    const graphSp = sps.find((e) => (e.data as { appId: string }).appId === GRAPH_APP_ID)!;
    const app = sps.find((e) => e.id !== graphSp.id && (e.data as { servicePrincipalType: string }).servicePrincipalType === 'Application')!;
    const granted = world.tenant.directory.addAppRoleAssignment(app.id, graphSp.id, DIRECTORY_READ_ALL);
    expect(granted).not.toBeNull();
    expect((await pull(world, path, { only: ['servicePrincipals', 'appRoleAssignments'] })).outcome).toBe('success');
    const row = readDb(path, (db) => db.prepare("SELECT data FROM effective_relations WHERE relation = 'hasAppRole' AND source_type = 'servicePrincipal' AND source_id = ? AND target_id = ?")
      .get(app.id, `${graphSp.id}/${DIRECTORY_READ_ALL}`)) as { data: string } | undefined;
    expect(JSON.parse(row!.data)).toEqual({ assignmentId: granted!.id, createdDateTime: expect.any(String) });
    const held = readDb(path, (db) => db.prepare(`
      SELECT r.source_type, r.source_id, r.target_id, role.data ->> '$.value' AS permission
      FROM effective_relations r
      JOIN entities role ON role.entity_type = 'appRole' AND role.id = r.target_id
      JOIN entities graph ON graph.entity_type = 'servicePrincipal' AND r.target_id LIKE graph.id || '/%'
      WHERE r.relation = 'hasAppRole' AND graph.data ->> '$.appId' = ?`).all(GRAPH_APP_ID)) as { source_type: string; target_id: string; permission: string }[];
    expect(held.length).toBeGreaterThan(0);
    expect(held.every((h) => h.source_type === 'servicePrincipal')).toBe(true);
    expect(held.some((h) => h.permission === 'Directory.Read.All' && h.target_id.endsWith(`/${DIRECTORY_READ_ALL}`))).toBe(true);
    expect(held.some((h) => h.permission === 'RoleManagement.ReadWrite.Directory')).toBe(true);
  });
});

describe('behaviour by tenant and permissions', () => {
  it('a tenant without Entra ID P1/P2: signIns and signInActivity are skipped with one warning each, everything else succeeds', async () => {
    world = smallWorld({ premium: false });
    const path = dbFile();
    const warnings: string[] = [];
    const r = await pull(world, path, { only: undefined, onProgress: (p) => { if (p.event === 'skipped') warnings.push(`${p.collection}: ${p.detail}`); } });
    expect(r.outcome).toBe('success');
    expect(r.collections.signIns!.outcome).toBe('skipped');
    expect(r.collections.signInActivity!.outcome).toBe('skipped');
    expect(warnings).toHaveLength(2);
    for (const w of warnings) expect(w).toMatch(/P1 or P2/);
    for (const name of COLLECTION_NAMES.filter((c) => c !== 'signIns' && c !== 'signInActivity')) expect(r.collections[name]!.outcome, name).toBe('success');
  });

  it('without Member.Read.Hidden a hidden-membership unit is stored as such, without members, and the collection succeeds', async () => {
    world = smallWorld({ roles: ALL_ROLES.filter((r) => r !== 'Member.Read.Hidden') });
    const path = dbFile();
    const r = await pull(world, path, { only: ['users', 'groups', 'administrativeUnits'] });
    expect(r.outcome).toBe('success');
    // The hidden units' member lists answer 403: the full round read the delta chain instead.
    expect(fullRead(path, r.runId, 'administrativeUnits')).toMatch(/^delta chain \(403 Authorization_RequestDenied on administrativeUnit [0-9a-f-]+ members\)$/);
    const units = world.tenant.directory.truth().entities.filter((e) => e.type === 'administrativeUnit');
    const hidden = units.filter((u) => (u.data as { visibility: string | null }).visibility === 'HiddenMembership');
    expect(hidden.length).toBeGreaterThan(0);
    const rows = readDb(path, (db) => db.prepare(`
      SELECT e.id, e.data ->> '$.visibility' AS visibility,
             (SELECT COUNT(*) FROM effective_relations r WHERE r.relation = 'memberOf' AND r.target_type = 'administrativeUnit' AND r.target_id = e.id) AS members
      FROM entities e WHERE e.entity_type = 'administrativeUnit' AND e.deleted_at IS NULL`).all()) as { id: string; visibility: string | null; members: number }[];
    expect(rows.length).toBe(units.length);
    for (const u of hidden) expect(rows.find((x) => x.id === u.id)).toEqual({ id: u.id, visibility: 'HiddenMembership', members: 0 });
    // The visible units' members are all there.
    const want = world.tenant.directory.truth({ memberReadHidden: false }).relations.filter((x) => x.targetType === 'administrativeUnit');
    expect(rows.reduce((n, x) => n + x.members, 0)).toBe(want.length);
    expect(want.length).toBeGreaterThan(0);
  });

  it('a directory role with 1,000 members (all Graph returns without paging) is read through the delta chain, whole', async () => {
    world = createSimWorld({ roles: ALL_ROLES, tenant: { users: 1100, groups: 20, memberships: 600 } });
    const d = world.tenant.directory;
    const role = d.truth().entities.find((e) => e.type === 'directoryRole')!.id;
    const users = [...world.tenant.users.values()].filter((u) => u.state === 'live').map((u) => u.id);
    for (const id of users.slice(0, 1000)) d.addDirectoryRoleMember(role, id);
    const path = dbFile();
    const r = await pull(world, path, { only: ['users', 'groups', 'directoryRoles'] });
    expect(r.outcome).toBe('success');
    expect(fullRead(path, r.runId, 'directoryRoles')).toMatch(/^delta chain \(directoryRole [0-9a-f-]+ answered 1000 members, Graph's cap/);
    const want = d.truth().relations.filter((x) => x.targetType === 'directoryRole').map((x) => `${x.sourceType}:${x.sourceId}>${x.targetId}`).sort();
    const got = readDb(path, (db) => db.prepare("SELECT source_type || ':' || source_id || '>' || target_id FROM effective_relations WHERE target_type = 'directoryRole' ORDER BY 1").pluck().all()) as string[];
    expect(want.filter((k) => k.endsWith(role)).length).toBeGreaterThan(1000);
    expect(got).toEqual(want);
  });

  it('a missing permission fails its collection alone, naming the permission to grant', async () => {
    world = smallWorld({ roles: ALL_ROLES.filter((r) => r !== 'AdministrativeUnit.Read.All' && r !== 'Directory.Read.All') });
    const path = dbFile();
    const r = await pull(world, path, { only: undefined });
    expect(r.outcome).toBe('partial');
    const failed = Object.entries(r.collections).filter(([, c]) => c.outcome === 'failed').map(([n]) => n);
    // oauth2PermissionGrants needs Directory.Read.All (its least permission).
    expect(failed.sort()).toEqual(['administrativeUnits', 'oauth2PermissionGrants']);
    const au = r.errors.find((e) => e.collection === 'administrativeUnits')!.error as { suggestion?: string };
    expect(au.suggestion).toMatch(/AdministrativeUnit\.Read\.All/);
  });
});
