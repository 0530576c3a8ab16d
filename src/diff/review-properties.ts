import type { PropertyChanges } from '../store/index.js';
import { credentialChanges } from './credential-changes.js';

/**
 * The properties whose change a review looks at: is the account on, a member or a guest, what job
 * and department (which drive access packages and dynamic groups), and when the person leaves.
 * A user's manager is the reportsTo link, reported from the links (see managerChanges).
 */
export const REVIEW_PROPERTIES = ['accountEnabled', 'userType', 'jobTitle', 'department', 'employeeLeaveDateTime'] as const;

/** Credential lists of apps and service principals, reported per credential added, removed or re-dated. */
export const CREDENTIAL_PROPERTIES = ['passwordCredentials', 'keyCredentials'] as const;
const CREDENTIAL_OWNERS = new Set(['servicePrincipal', 'application']);

/** The review-relevant part of a `changed` (or `restored`) row's properties, one entry per change shown. */
export function reviewChanges(entityType: string, properties: PropertyChanges): { property: string; old: unknown; new: unknown }[] {
  const out: { property: string; old: unknown; new: unknown }[] = [];
  for (const name of REVIEW_PROPERTIES) {
    const pair = properties[name];
    if (pair) out.push({ property: name, old: pair[0] ?? null, new: pair[1] ?? null });
  }
  if (CREDENTIAL_OWNERS.has(entityType)) {
    for (const name of CREDENTIAL_PROPERTIES) {
      const pair = properties[name];
      if (!pair) continue;
      for (const c of credentialChanges(pair[0], pair[1])) out.push({ property: name, old: c.old, new: c.new });
    }
  }
  return out;
}
