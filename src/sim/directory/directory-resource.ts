import type { Tenant } from '../tenant/tenant.js';
import type { SimResource } from '../graph/sim-resource.js';

/** The simulated endpoints of the apps-and-roles directory. (Scaffold.) */
export function createDirectoryResource(_tenant: Tenant, _o: { seed: number; now: () => number }): SimResource {
  return { handle: () => undefined };
}
