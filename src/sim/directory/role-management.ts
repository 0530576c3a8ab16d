import type { Clock } from './change-tracker.js';
import type { RoleAssignmentRec, RoleDefinitionRec } from './directory-types.js';
import { guidBytes, opaqueId } from './object-builders.js';
import { ROLE_TEMPLATES } from './role-templates.js';
import { TrackedObjects } from './tracked-objects.js';

/**
 * Directory roles (activated roles, delta-tracked with their members), unified role definitions
 * (built-in and custom) and unified role assignments.
 *
 * A tenant-wide ('/') assignment of a built-in role is what makes a principal a member of the
 * activated directoryRole with that template, so the two views agree: adding such an assignment
 * adds the member (and activates the role when needed), removing it removes the member.
 * https://learn.microsoft.com/graph/api/resources/rolemanagement
 */
export class RoleManagement {
  readonly roles: TrackedObjects;
  readonly definitions = new Map<string, RoleDefinitionRec>();
  readonly assignments = new Map<string, RoleAssignmentRec>();
  /** templateId → activated directoryRole id. */
  private readonly roleByTemplate = new Map<string, string>();
  private readonly assignmentKeys = new Set<string>();
  private scopedCounter = 1;

  constructor(clock: Clock) {
    this.roles = new TrackedObjects(clock, true);
    for (const t of ROLE_TEMPLATES) {
      this.definitions.set(t.id, { id: t.id, props: Object.freeze(definitionProps(t.id, t.displayName, t.description, t.actions, true)) });
    }
  }

  roleOfTemplate(templateId: string): string | undefined {
    return this.roleByTemplate.get(templateId);
  }

  /** Activates the built-in role (a directoryRole object with a new id); returns its id. */
  activate(templateId: string, id: string): string {
    const existing = this.roleByTemplate.get(templateId);
    if (existing) return existing;
    const t = ROLE_TEMPLATES.find((x) => x.id === templateId);
    if (!t) throw new Error(`no built-in role template ${templateId}`);
    this.roles.insert(id, { displayName: t.displayName, description: t.description, roleTemplateId: t.id });
    this.roleByTemplate.set(templateId, id);
    return id;
  }

  addCustomDefinition(id: string, displayName: string, description: string, actions: string[]): void {
    if (this.definitions.has(id)) throw new Error(`duplicate role definition ${id}`);
    this.definitions.set(id, { id, props: Object.freeze(definitionProps(id, displayName, description, actions, false)) });
  }

  /** Removes a custom definition with its assignments; returns the assignments removed. */
  removeCustomDefinition(id: string): RoleAssignmentRec[] {
    const d = this.definitions.get(id);
    if (!d || d.props.isBuiltIn === true) throw new Error(`no custom role definition ${id}`);
    const gone = this.removeAssignmentsWhere((a) => a.roleDefinitionId === id);
    this.definitions.delete(id);
    return gone;
  }

  /**
   * Adds an assignment (null when the principal already holds that role at that scope). The id is
   * opaque like Graph's: the role's and the principal's id bytes, then a suffix.
   * `newRoleId` names the directoryRole when a '/' assignment activates a built-in role.
   */
  addAssignment(principalId: string, roleDefinitionId: string, directoryScopeId: string, newRoleId: () => string, appScopeId: string | null = null): RoleAssignmentRec | null {
    const def = this.definitions.get(roleDefinitionId);
    if (!def) throw new Error(`no role definition ${roleDefinitionId}`);
    const key = `${principalId}|${roleDefinitionId}|${directoryScopeId}`;
    if (this.assignmentKeys.has(key)) return null;
    const suffix = directoryScopeId === '/' ? 1 : ++this.scopedCounter;
    const id = `${opaqueId(guidBytes(roleDefinitionId), guidBytes(principalId))}-${suffix}`;
    const a: RoleAssignmentRec = { id, principalId, roleDefinitionId, directoryScopeId, appScopeId };
    this.assignments.set(id, a);
    this.assignmentKeys.add(key);
    if (this.makesMember(a)) {
      const roleId = this.roleByTemplate.get(roleDefinitionId) ?? this.activate(roleDefinitionId, newRoleId());
      this.roles.addLink(roleId, principalId);
    }
    return a;
  }

  removeAssignment(id: string): RoleAssignmentRec | undefined {
    const a = this.assignments.get(id);
    if (!a) return undefined;
    this.assignments.delete(id);
    this.assignmentKeys.delete(`${a.principalId}|${a.roleDefinitionId}|${a.directoryScopeId}`);
    if (this.makesMember(a)) {
      const roleId = this.roleByTemplate.get(a.roleDefinitionId);
      if (roleId) this.roles.removeLink(roleId, a.principalId);
    }
    return a;
  }

  removeAssignmentsWhere(match: (a: RoleAssignmentRec) => boolean): RoleAssignmentRec[] {
    const gone = [...this.assignments.values()].filter(match);
    for (const a of gone) this.removeAssignment(a.id);
    return gone;
  }

  private makesMember(a: RoleAssignmentRec): boolean {
    return a.directoryScopeId === '/' && this.definitions.get(a.roleDefinitionId)?.props.isBuiltIn === true;
  }
}

function definitionProps(id: string, displayName: string, description: string, actions: string[], builtIn: boolean): Record<string, unknown> {
  return {
    description, displayName, isBuiltIn: builtIn, isEnabled: true, resourceScopes: ['/'], templateId: id, version: builtIn ? '1' : null,
    rolePermissions: [{ allowedResourceActions: actions, condition: null }],
  };
}
