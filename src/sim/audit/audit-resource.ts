import type { Tenant } from '../tenant/tenant.js';
import type { SimResource } from '../graph/sim-resource.js';
import { PageTokens } from './page-tokens.js';
import { serveSignIns, type SignInChain } from './serve-sign-ins.js';
import { serveUsersActivity, wantsSignInActivity, type UsersPage } from './serve-users-activity.js';

const SIGN_INS = /^\/auditLogs\/signIns\/?$/i;
const USERS = /^\/users\/?$/i;

/**
 * The simulated audit-log endpoints (GET /auditLogs/signIns) and the users' signInActivity listing
 * (GET /users?$select=...signInActivity...). Other /users requests are not this resource's
 * (undefined). Attaches the simulation's clock to the tenant's sign-in log, so that
 * AuditData.randomChanges and addSignIn default to the simulated time.
 */
export function createAuditResource(tenant: Tenant, o: { seed: number; now: () => number }): SimResource {
  const a = tenant.audit;
  a.attachClock(o.now);
  const limits = (): { ttlMs: number; max: number; epoch: number } => ({ ttlMs: a.paging.skipTokenTtlMs, max: a.paging.maxSkipTokens, epoch: a.tokenEpoch });
  const signInTokens = new PageTokens<SignInChain>(limits);
  const userTokens = new PageTokens<UsersPage>(limits, 'u');
  return {
    handle(r) {
      if (SIGN_INS.test(r.path)) return serveSignIns(a, signInTokens, r, o.now());
      if (USERS.test(r.path) && r.req.method === 'GET' && wantsSignInActivity(r.req.url, userTokens)) return serveUsersActivity(a, userTokens, r, o.now());
      return undefined;
    },
  };
}
