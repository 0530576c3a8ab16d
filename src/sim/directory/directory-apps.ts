import { DirectoryState } from './directory-state.js';
import type { AppRole } from './graph-permissions.js';
import { appProps, customAppRoles, spProps } from './object-builders.js';

/**
 * Mutations of service principals and application registrations: create, update, soft delete,
 * restore, permanently delete (with every link), owners and app roles.
 */
export class DirectoryApps extends DirectoryState {
  /** A new service principal of this module's own (it may be deleted later); returns its id. */
  createServicePrincipal(o: { displayName?: string; appRoles?: AppRole[]; appId?: string } = {}): string {
    const id = this.rng.guid();
    const displayName = o.displayName ?? this.nextName('Contoso Service');
    this.registry.insertSp(id, spProps(this.rng, {
      kind: 'own', appId: o.appId ?? this.rng.guid(), displayName, tenantId: this.tenantId, ref: this.referenceTime, appRoles: o.appRoles ?? [],
    }), true);
    return id;
  }

  updateServicePrincipal(id: string, patch: Record<string, unknown>): string[] {
    return this.registry.sps.update(id, patch);
  }

  softDeleteServicePrincipal(id: string): void {
    this.ownSp(id);
    this.registry.sps.softDelete(id);
  }

  restoreServicePrincipal(id: string): void {
    this.registry.sps.restore(id);
  }

  /** Permanently deletes one of this module's own service principals, with every link it has. */
  hardDeleteServicePrincipal(id: string): void {
    this.ownSp(id);
    this.registry.dropSp(id);
    this.purge(new Set([id]));
  }

  private ownSp(id: string): void {
    if (!this.registry.ownSps.has(id) || this.registry.protectedSps.has(id)) throw new Error(`${id} is not a deletable service principal of the directory simulation`);
  }

  /** A new app registration (and, by default, its service principal). */
  createApplication(o: { displayName?: string; withServicePrincipal?: boolean } = {}): { applicationId: string; servicePrincipalId: string | null } {
    const displayName = o.displayName ?? this.nextName('Contoso App');
    const appId = this.rng.guid();
    const roles = this.rng.chance(0.4) ? customAppRoles(this.rng, this.rng.int(1, 3), displayName) : [];
    const applicationId = this.rng.guid();
    this.registry.insertApp(applicationId, appProps(this.rng, {
      appId, displayName, signInAudience: 'AzureADMyOrg', ref: this.referenceTime, appRoles: roles, scopes: [], requiredResourceAccess: [],
    }));
    const servicePrincipalId = o.withServicePrincipal === false ? null : this.createServicePrincipal({ displayName, appRoles: roles, appId });
    return { applicationId, servicePrincipalId };
  }

  updateApplication(id: string, patch: Record<string, unknown>): string[] {
    return this.registry.apps.update(id, patch);
  }

  softDeleteApplication(id: string): void {
    this.registry.apps.softDelete(id);
  }

  restoreApplication(id: string): void {
    this.registry.apps.restore(id);
  }

  /** Permanently deletes an app registration; role assignments scoped to it go too. */
  hardDeleteApplication(id: string): void {
    this.registry.dropApp(id);
    this.roles.removeAssignmentsWhere((a) => a.directoryScopeId === `/${id}`);
  }

  /** Owner (a live user or service principal) of a live service principal or application. */
  addOwner(objectId: string, ownerId: string): boolean {
    const t = this.typeOf(ownerId);
    if ((t !== 'user' && t !== 'servicePrincipal') || !this.isLive(ownerId)) throw new Error(`no live user or service principal ${ownerId}`);
    return (this.registry.sps.has(objectId) ? this.registry.sps : this.registry.apps).addLink(objectId, ownerId);
  }

  removeOwner(objectId: string, ownerId: string): boolean {
    return (this.registry.sps.has(objectId) ? this.registry.sps : this.registry.apps).removeLink(objectId, ownerId);
  }

  /** Adds an app role to a service principal (and its application); returns it. */
  addAppRole(spId: string, role: Partial<AppRole> = {}): AppRole {
    const name = this.registry.sps.live(spId).props.displayName as string;
    const made = { ...customAppRoles(this.rng, 1, name)[0]!, ...role };
    this.registry.setAppRoles(spId, [...this.registry.appRoles(spId), made]);
    return made;
  }

  /** Removes an app role; the assignments of it go too. Returns how many assignments were removed. */
  removeAppRole(spId: string, appRoleId: string): number {
    const roles = this.registry.appRoles(spId);
    if (!roles.some((r) => r.id === appRoleId)) throw new Error(`no app role ${appRoleId} on ${spId}`);
    this.registry.setAppRoles(spId, roles.filter((r) => r.id !== appRoleId));
    return this.appRoleAssignments.removeOnResource(spId, (a) => a.appRoleId === appRoleId).length;
  }

}
