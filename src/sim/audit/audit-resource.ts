import type { Tenant } from '../tenant/tenant.js';
import type { SimResource } from '../graph/sim-resource.js';

/** The simulated audit-log endpoints (sign-ins) and users' signInActivity. (Scaffold.) */
export function createAuditResource(_tenant: Tenant, _o: { seed: number; now: () => number }): SimResource {
  return { handle: () => undefined };
}
