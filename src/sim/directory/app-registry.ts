import type { Clock } from './change-tracker.js';
import type { TrackedRec } from './directory-types.js';
import { DEFAULT_ACCESS_ROLE, type AppRole } from './graph-permissions.js';
import { TrackedObjects } from './tracked-objects.js';

/**
 * Service principals and application registrations, both delta-tracked, with their owners (links,
 * read from /{id}/owners rather than from delta) and the appId that ties an application to its
 * service principal.
 */
export class AppRegistry {
  readonly sps: TrackedObjects;
  readonly apps: TrackedObjects;
  /** Service principals this module created (not the tenant's plain ones): these may be deleted. */
  readonly ownSps = new Set<string>();
  /** First-party service principals (Microsoft Graph, ...): never deleted. */
  readonly protectedSps = new Set<string>();
  private readonly spByAppId = new Map<string, string>();
  private readonly appByAppId = new Map<string, string>();
  /** Permanently deleted service principals: a removal in members@delta still names their type. */
  private readonly formerSps = new Set<string>();
  graphSpId = '';

  constructor(clock: Clock) {
    this.sps = new TrackedObjects(clock, false);
    this.apps = new TrackedObjects(clock, false);
  }

  insertSp(id: string, props: Record<string, unknown>, own: boolean): TrackedRec {
    const rec = this.sps.insert(id, props);
    this.spByAppId.set(props.appId as string, id);
    if (own) this.ownSps.add(id);
    return rec;
  }

  insertApp(id: string, props: Record<string, unknown>): TrackedRec {
    const rec = this.apps.insert(id, props);
    this.appByAppId.set(props.appId as string, id);
    return rec;
  }

  dropSp(id: string): TrackedRec {
    const rec = this.sps.hardDelete(id);
    this.spByAppId.delete(rec.props.appId as string);
    this.ownSps.delete(id);
    this.formerSps.add(id);
    return rec;
  }

  dropApp(id: string): TrackedRec {
    const rec = this.apps.hardDelete(id);
    this.appByAppId.delete(rec.props.appId as string);
    return rec;
  }

  /** A service principal, live, soft-deleted or permanently deleted. */
  wasSp(id: string): boolean {
    return this.sps.has(id) || this.formerSps.has(id);
  }

  spOfAppId(appId: string): string | undefined {
    return this.spByAppId.get(appId);
  }

  appOfAppId(appId: string): string | undefined {
    return this.appByAppId.get(appId);
  }

  appRoles(spId: string): readonly AppRole[] {
    return (this.sps.get(spId)?.props.appRoles as AppRole[] | undefined) ?? [];
  }

  /** The role on the resource: one of its appRoles, or the default access role every service principal has. */
  findAppRole(spId: string, appRoleId: string): AppRole | undefined {
    if (appRoleId === DEFAULT_ACCESS_ROLE.id) return this.sps.has(spId) ? DEFAULT_ACCESS_ROLE : undefined;
    return this.appRoles(spId).find((r) => r.id === appRoleId);
  }

  /**
   * Replaces the app roles of a service principal and of its application registration (the roles an
   * application defines are those of its service principal in the home tenant).
   */
  setAppRoles(spId: string, roles: AppRole[]): void {
    this.sps.update(spId, { appRoles: roles });
    const appId = this.appByAppId.get(this.sps.live(spId).props.appId as string);
    if (appId && this.apps.isLive(appId)) this.apps.update(appId, { appRoles: roles });
  }
}
