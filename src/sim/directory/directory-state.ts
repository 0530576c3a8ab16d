import { mulberry32, type Rng } from '../tenant/prng.js';
import type { Tenant } from '../tenant/tenant.js';
import { AppRegistry } from './app-registry.js';
import { AppRoleAssignments } from './app-role-assignments.js';
import { Clock } from './change-tracker.js';
import type { DirectoryResourceOptions } from './directory-resource-options.js';
import type { GrantRec, PrincipalType } from './directory-types.js';
import { RoleManagement } from './role-management.js';
import { TrackedObjects } from './tracked-objects.js';

/** The simulated tenant's id unless DirectoryGenOptions.tenantId says otherwise. */
export const DEFAULT_TENANT_ID = '3f1c2b4a-5d6e-4f70-8a9b-0c1d2e3f4a5b';

/** The serving side's token stores, so that the data can expire them (tests, the sim process). */
export interface TokenHolder {
  expireDeltaTokens(): void;
  expireSkipTokens(): void;
}

/**
 * The state of the simulated apps-and-roles directory and what every part of it needs: who a
 * principal is and whether it is live, and catching up with the tenant's permanent deletes.
 * (DirectoryApps adds the app registrations' mutations, DirectoryData the access mutations and views.)
 *
 * Links are stored whatever the state of their ends and count only while both ends are live, as in
 * Tenant; a permanently deleted principal (here, or a user or group of the tenant: see sync) loses
 * every link, and role and unit memberships log the removal for members@delta.
 */
export class DirectoryState {
  readonly clock = new Clock();
  readonly registry: AppRegistry;
  readonly roles: RoleManagement;
  readonly units: TrackedObjects;
  readonly appRoleAssignments = new AppRoleAssignments();
  readonly grants = new Map<string, GrantRec>();
  /** skuId → prepaid units and subscription of the tenant's subscribed SKUs, and the consumed units last seen. */
  readonly skuSubscriptions = new Map<string, { enabled: number; subscriptionId: string; consumedSeen: number }>();
  tenantId = DEFAULT_TENANT_ID;
  /** Credentials expire relative to this time (ms); fixed so that generation is deterministic. */
  referenceTime = Date.UTC(2025, 5, 1);
  /** Page sizes and token lifetimes of the simulated endpoints; read when a Graph simulation is created. */
  resourceOptions: DirectoryResourceOptions = {};
  /** Ids of objects the mutation methods create; reseeded by the generator. */
  rng: Rng = mulberry32(0xd1ec7012);
  private counter = 0;
  private tenantSeen = 0;
  private readonly holders = new Set<TokenHolder>();

  constructor(readonly tenant: Tenant) {
    this.registry = new AppRegistry(this.clock);
    this.roles = new RoleManagement(this.clock);
    this.units = new TrackedObjects(this.clock, true);
  }

  // ---- principals -----------------------------------------------------------------------------

  typeOf(id: string): PrincipalType | undefined {
    return this.registry.wasSp(id) ? 'servicePrincipal' : this.tenant.typeOf(id);
  }

  /** Live: a service principal by its state here, a user, group or device by the tenant's. */
  isLive(id: string): boolean {
    const sp = this.registry.sps.get(id);
    return sp ? sp.state === 'live' : this.tenant.isLive(id);
  }

  displayNameOf(id: string): string | null {
    const sp = this.registry.sps.get(id);
    if (sp) return sp.props.displayName as string;
    const rec = this.tenant.users.get(id) ?? this.tenant.groups.get(id);
    if (rec) return (rec.props.displayName as string | undefined) ?? null;
    return this.tenant.others.get(id)?.displayName ?? null;
  }

  /**
   * Catches up with the tenant's change log: a user or group permanently deleted there loses its role
   * and unit memberships (logged for members@delta), its app role assignments, grants, role
   * assignments and ownerships. Called before every request, truth and random change.
   */
  sync(): void {
    const changes = this.tenant.changes;
    if (this.tenantSeen >= changes.length) return;
    const gone = new Set<string>();
    for (let i = this.tenantSeen; i < changes.length; i++) {
      const c = changes[i]!;
      if (c.kind === 'object' && c.op === 'hardDeleted') gone.add(c.id);
    }
    this.tenantSeen = changes.length;
    if (gone.size > 0) this.purge(gone);
  }

  protected purge(ids: Set<string>): void {
    this.appRoleAssignments.removeWhere((a) => ids.has(a.principalId) || ids.has(a.resourceId));
    for (const [gid, g] of this.grants) {
      if (ids.has(g.clientId) || ids.has(g.resourceId) || (g.principalId !== null && ids.has(g.principalId))) this.grants.delete(gid);
    }
    this.roles.removeAssignmentsWhere((a) => ids.has(a.principalId));
    for (const u of this.units.recs.values()) for (const id of ids) if (u.links.has(id)) this.units.removeLink(u.id, id);
    for (const store of [this.registry.sps, this.registry.apps]) for (const r of store.recs.values()) for (const id of ids) r.links.delete(id);
  }

  /** A number for the names of created objects (New App 1, 2, ...). */
  protected nextNumber(): number {
    return ++this.counter;
  }

  protected nextName(prefix: string): string {
    return `${prefix} ${this.nextNumber()}`;
  }

  // ---- token stores of the serving side ---------------------------------------------------------

  attach(holder: TokenHolder): void {
    this.holders.add(holder);
  }

  /** Every deltaLink handed out so far answers 400 syncStateNotFound. */
  expireDeltaTokens(): void {
    for (const h of this.holders) h.expireDeltaTokens();
  }

  /** Every nextLink handed out so far answers 400 Directory_ExpiredPageToken. */
  expireSkipTokens(): void {
    for (const h of this.holders) h.expireSkipTokens();
  }
}
