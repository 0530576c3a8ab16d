import { directoryRandomChanges } from './directory-random-changes.js';
import { DirectoryApps } from './directory-apps.js';
import { directoryTruth } from './directory-truth.js';
import type { AppRoleAssignmentRec, DirectoryTruth, GrantRec, RoleAssignmentRec } from './directory-types.js';
import { DEFAULT_ACCESS_ROLE_ID } from './graph-permissions.js';
import { assignmentId, guidBytes, opaqueId, unitProps } from './object-builders.js';
import { servedSkus } from './subscribed-skus.js';

export { populateDirectory, type DirectoryGenOptions } from './generate-directory.js';
export { DEFAULT_TENANT_ID, type TokenHolder } from './directory-state.js';

export interface DirectoryStats {
  servicePrincipals: number; softDeletedServicePrincipals: number; applications: number; softDeletedApplications: number;
  directoryRoles: number; roleMembers: number; roleDefinitions: number; roleAssignments: number;
  administrativeUnits: number; softDeletedAdministrativeUnits: number; unitMembers: number;
  appRoleAssignments: number; grants: number; owners: number; seq: number;
}

/**
 * The simulated directory beyond users and groups (tenant.directory): service principals,
 * applications, directory roles, role definitions and assignments, administrative units, app role
 * assignments, delegated permission grants and subscribed SKUs, with the change log their delta
 * endpoints serve. This layer adds who holds what (assignments, grants, roles, units) and the views:
 * truth(), stats(), randomChanges().
 */
export class DirectoryData extends DirectoryApps {
  // ---- app role assignments and delegated grants -----------------------------------------------

  /**
   * Assigns an app role of a live resource service principal to a live user, group or service
   * principal (the default access role when appRoleId is omitted); null when already held.
   */
  addAppRoleAssignment(principalId: string, resourceId: string, appRoleId = DEFAULT_ACCESS_ROLE_ID, createdAt?: number): AppRoleAssignmentRec | null {
    const t = this.typeOf(principalId);
    if ((t !== 'user' && t !== 'group' && t !== 'servicePrincipal') || !this.isLive(principalId)) throw new Error(`no live principal ${principalId}`);
    if (!this.registry.sps.isLive(resourceId)) throw new Error(`no live service principal ${resourceId}`);
    if (!this.registry.findAppRole(resourceId, appRoleId)) throw new Error(`no app role ${appRoleId} on ${resourceId}`);
    if (this.appRoleAssignments.holds(principalId, resourceId, appRoleId)) return null;
    const a: AppRoleAssignmentRec = {
      id: assignmentId(principalId, this.rng), appRoleId, principalId, resourceId,
      createdAt: createdAt ?? Math.floor(this.referenceTime / 1000) + this.clock.seq * 60,
    };
    this.appRoleAssignments.add(a);
    return a;
  }

  removeAppRoleAssignment(id: string): boolean {
    return this.appRoleAssignments.remove(id) !== undefined;
  }

  /**
   * A delegated permission grant: for every user (principalId null, AllPrincipals) or one user
   * (Principal). The id is opaque like Graph's, built from the client, resource (and user) ids, so a
   * second grant of the same kind for the same pair is refused (null).
   */
  addGrant(clientId: string, resourceId: string, scope: string, principalId: string | null = null): GrantRec | null {
    if (!this.registry.sps.isLive(clientId) || !this.registry.sps.isLive(resourceId)) throw new Error('client and resource must be live service principals');
    if (principalId !== null && (this.typeOf(principalId) !== 'user' || !this.isLive(principalId))) throw new Error(`no live user ${principalId}`);
    const parts = [guidBytes(clientId), guidBytes(resourceId), ...(principalId ? [guidBytes(principalId)] : [])];
    const id = opaqueId(...parts);
    if (this.grants.has(id)) return null;
    const g: GrantRec = { id, clientId, consentType: principalId ? 'Principal' : 'AllPrincipals', principalId, resourceId, scope };
    this.grants.set(id, g);
    return g;
  }

  removeGrant(id: string): boolean {
    return this.grants.delete(id);
  }

  setGrantScope(id: string, scope: string): boolean {
    const g = this.grants.get(id);
    if (!g || g.scope === scope) return false;
    this.grants.set(id, { ...g, scope });
    return true;
  }

  // ---- roles -----------------------------------------------------------------------------------

  activateDirectoryRole(templateId: string): string {
    return this.roles.activate(templateId, this.rng.guid());
  }

  /** A unified role assignment; null when the principal already holds it at that scope. */
  addRoleAssignment(principalId: string, roleDefinitionId: string, directoryScopeId = '/', appScopeId: string | null = null): RoleAssignmentRec | null {
    const t = this.typeOf(principalId);
    const assignable = t === 'user' || t === 'servicePrincipal' || (t === 'group' && this.tenant.groups.get(principalId)?.props.isAssignableToRole === true);
    if (!assignable || !this.isLive(principalId)) throw new Error(`${principalId} cannot be assigned a role (live user, role-assignable group or service principal only)`);
    return this.roles.addAssignment(principalId, roleDefinitionId, directoryScopeId, () => this.rng.guid(), appScopeId);
  }

  removeRoleAssignment(id: string): boolean {
    return this.roles.removeAssignment(id) !== undefined;
  }

  /** Membership of an activated role is a tenant-wide assignment of its built-in definition. */
  addDirectoryRoleMember(roleId: string, memberId: string): boolean {
    const template = this.roles.roles.live(roleId).props.roleTemplateId as string;
    return this.addRoleAssignment(memberId, template, '/') !== null;
  }

  removeDirectoryRoleMember(roleId: string, memberId: string): boolean {
    const template = this.roles.roles.get(roleId)?.props.roleTemplateId;
    return this.roles.removeAssignmentsWhere((a) => a.principalId === memberId && a.roleDefinitionId === template && a.directoryScopeId === '/').length > 0;
  }

  addCustomRoleDefinition(displayName: string, actions = ['microsoft.directory/applications/credentials/update']): string {
    const id = this.rng.guid();
    this.roles.addCustomDefinition(id, displayName, `Custom role: ${displayName}`, actions);
    return id;
  }

  removeCustomRoleDefinition(id: string): void {
    this.roles.removeCustomDefinition(id);
  }

  // ---- administrative units --------------------------------------------------------------------

  createAdministrativeUnit(props: Record<string, unknown> = {}): string {
    const id = this.rng.guid();
    this.units.insert(id, { ...unitProps(this.rng, this.nextNumber()), ...props });
    return id;
  }

  updateAdministrativeUnit(id: string, patch: Record<string, unknown>): string[] {
    return this.units.update(id, patch);
  }

  softDeleteAdministrativeUnit(id: string): void {
    this.units.softDelete(id);
  }

  restoreAdministrativeUnit(id: string): void {
    this.units.restore(id);
  }

  /** Permanently deletes a unit with its members; role assignments scoped to it go too. */
  hardDeleteAdministrativeUnit(id: string): void {
    this.units.hardDelete(id);
    this.roles.removeAssignmentsWhere((a) => a.directoryScopeId === `/administrativeUnits/${id}`);
  }

  /** Members of a unit: live users, groups and devices. */
  addAdministrativeUnitMember(unitId: string, memberId: string): boolean {
    const t = this.typeOf(memberId);
    if ((t !== 'user' && t !== 'group' && t !== 'device') || !this.isLive(memberId)) throw new Error(`no live user, group or device ${memberId}`);
    return this.units.addLink(unitId, memberId);
  }

  removeAdministrativeUnitMember(unitId: string, memberId: string): boolean {
    return this.units.removeLink(unitId, memberId);
  }

  // ---- views -----------------------------------------------------------------------------------

  /** The subscribed SKUs as GET /subscribedSkus serves them (consumed units counted from live users now). */
  subscribedSkus(): Record<string, unknown>[] {
    return servedSkus(this);
  }

  /**
   * What a client's database must hold after a complete pull of these collections (CONTRACT.md 4).
   * A hidden unit's memberships are left out unless the client may read them (Member.Read.Hidden).
   */
  truth(o: { memberReadHidden?: boolean } = {}): DirectoryTruth {
    this.sync();
    return directoryTruth(this, o);
  }

  /** Deterministic random mutations for (state, seed); returns counts by kind. */
  randomChanges(fraction: number, seed: number): Record<string, number> {
    this.sync();
    return directoryRandomChanges(this, fraction, seed);
  }

  stats(): DirectoryStats {
    this.sync();
    const sp = this.registry.sps.counts();
    const app = this.registry.apps.counts();
    const role = this.roles.roles.counts();
    const unit = this.units.counts();
    return {
      servicePrincipals: sp.live, softDeletedServicePrincipals: sp.soft, applications: app.live, softDeletedApplications: app.soft,
      directoryRoles: role.live, roleMembers: role.links, roleDefinitions: this.roles.definitions.size, roleAssignments: this.roles.assignments.size,
      administrativeUnits: unit.live, softDeletedAdministrativeUnits: unit.soft, unitMembers: unit.links,
      appRoleAssignments: this.appRoleAssignments.size, grants: this.grants.size, owners: sp.links + app.links, seq: this.clock.seq,
    };
  }
}
