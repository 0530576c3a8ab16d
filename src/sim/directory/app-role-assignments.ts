import type { AppRoleAssignmentRec } from './directory-types.js';

/**
 * The app role assignments of the tenant, indexed by id and by resource service principal (what
 * GET /servicePrincipals/{id}/appRoleAssignedTo lists). Plain records, no closures: the benchmark
 * tenant holds 200,000.
 */
export class AppRoleAssignments {
  private readonly byId = new Map<string, AppRoleAssignmentRec>();
  private readonly byResource = new Map<string, Set<AppRoleAssignmentRec>>();

  get size(): number {
    return this.byId.size;
  }

  get(id: string): AppRoleAssignmentRec | undefined {
    return this.byId.get(id);
  }

  add(a: AppRoleAssignmentRec): void {
    if (this.byId.has(a.id)) throw new Error(`duplicate app role assignment ${a.id}`);
    this.byId.set(a.id, a);
    let s = this.byResource.get(a.resourceId);
    if (!s) this.byResource.set(a.resourceId, (s = new Set()));
    s.add(a);
  }

  remove(id: string): AppRoleAssignmentRec | undefined {
    const a = this.byId.get(id);
    if (!a) return undefined;
    this.byId.delete(id);
    const s = this.byResource.get(a.resourceId);
    s?.delete(a);
    if (s && s.size === 0) this.byResource.delete(a.resourceId);
    return a;
  }

  /** The assignments whose resource is the service principal, in the order they were made. */
  forResource(resourceId: string): ReadonlySet<AppRoleAssignmentRec> {
    return this.byResource.get(resourceId) ?? EMPTY;
  }

  all(): IterableIterator<AppRoleAssignmentRec> {
    return this.byId.values();
  }

  /** Whether the principal already holds that role on the resource (Graph refuses a duplicate). */
  holds(principalId: string, resourceId: string, appRoleId: string): boolean {
    for (const a of this.forResource(resourceId)) if (a.principalId === principalId && a.appRoleId === appRoleId) return true;
    return false;
  }

  /** Removes every assignment matching; returns them. One pass over all assignments. */
  removeWhere(match: (a: AppRoleAssignmentRec) => boolean): AppRoleAssignmentRec[] {
    const gone: AppRoleAssignmentRec[] = [];
    for (const a of this.byId.values()) if (match(a)) gone.push(a);
    for (const a of gone) this.remove(a.id);
    return gone;
  }

  /** Removes the assignments on one resource matching (cheap: only that resource's). */
  removeOnResource(resourceId: string, match: (a: AppRoleAssignmentRec) => boolean): AppRoleAssignmentRec[] {
    const gone = [...this.forResource(resourceId)].filter(match);
    for (const a of gone) this.remove(a.id);
    return gone;
  }
}

const EMPTY: ReadonlySet<AppRoleAssignmentRec> = new Set();
