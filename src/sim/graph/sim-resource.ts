import type { SimRequest, SimResponse } from '../sim-http.js';
import type { ResponseContext } from './graph-error.js';

/** What a simulated Graph resource is given for one authenticated, unthrottled request. */
export interface ResourceRequest {
  req: SimRequest;
  ctx: ResponseContext;
  /** The path under the version root, e.g. `/servicePrincipals/delta` (no `/v1.0`). */
  path: string;
  /** `https://graph.sim.test`: links handed out start with `${origin}/v1.0`. */
  origin: string;
  /** Application permissions of the access token (`roles` claim). */
  roles: string[];
}

/**
 * One family of simulated Graph endpoints (the apps-and-roles directory, the audit logs). The
 * simulation asks each resource in turn; `undefined` means "not mine".
 */
export interface SimResource {
  handle(r: ResourceRequest): SimResponse | undefined;
}

/** The throttling scope of a path (graph-facts 3): the audit logs have a budget of their own. */
export function throttleScopeOf(path: string): 'identity' | 'reports' {
  return /^\/v1\.0\/(auditLogs|reports)\//i.test(path) ? 'reports' : 'identity';
}
