import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setupServer } from 'msw/node';
import { createGraphSim, type GraphSim, type GraphSimOptions } from '../../src/sim/graph/index.js';
import { createLoginSim } from '../../src/sim/login/login-sim.js';
import type { LoginSim, SimApp } from '../../src/sim/login/login-sim-types.js';
import { generateTenant, type Tenant } from '../../src/sim/tenant/index.js';
import type { SimHandler } from '../../src/sim/sim-http.js';
import { loadConfig } from '../../src/config/index.js';
import type { Config } from '../../src/config/config.js';
import { runCheck, type CheckOptions, type CheckReport } from '../../src/check/index.js';
import { CLIENT_ID, GRAPH, LOGIN, SECRET, TENANT_DOMAIN, TENANT_ID } from '../support/sim-world.js';
import { fastRetry } from '../support/integration-helpers.js';
import { simHandlers } from '../support/msw-sim.js';
import { CONNECTORS } from '../../connectors/index.js';
import { runCliInProcess } from '../support/cli-capture.js';

export { CLIENT_ID, SECRET, TENANT_ID };

/** The least-privileged permission of every connector and of each requiresAlso: enough for everything. */
export const LEAST_ROLES = [...new Set(CONNECTORS.flatMap((c) => [c.permission, ...(c.requiresAlso ?? []).map((n) => n.permission)]))];
/** And the optional ones. */
export const FULL_ROLES = [...LEAST_ROLES, ...new Set(CONNECTORS.flatMap((c) => (c.optional ?? []).map((n) => n.permission)))];

export interface CheckWorldOptions {
  roles?: string[];
  /** Client secrets of the app (default: SECRET, not expired). */
  secrets?: { value: string; expired?: boolean }[];
  premium?: boolean;
  graph?: GraphSimOptions;
  graphOrigin?: string;
  loginOrigin?: string;
  /** Extra origins the login service also answers on (MSAL's instance discovery of a real cloud). */
  extraLoginOrigins?: string[];
  /** An App Service style managed identity on this origin's /msi/token. */
  managedIdentity?: { origin: string; identityHeader: string; clientId: string; roles: string[] };
}

/**
 * A small simulated tenant with its login service and Graph, served in process through msw
 * (unhandled requests fail). Unlike test/support/sim-world.ts, the app is kept: its roles and
 * secrets can be changed between checks.
 */
export function createCheckWorld(o: CheckWorldOptions = {}) {
  const tenant: Tenant = generateTenant({ seed: 11, users: 30, groups: 6, memberships: 80, audit: { premium: o.premium ?? true } });
  const app: SimApp = { clientId: CLIENT_ID, secrets: o.secrets ?? [{ value: SECRET }], roles: o.roles ?? [...FULL_ROLES] };
  const login: LoginSim = createLoginSim({
    tenants: [{ id: TENANT_ID, domains: [TENANT_DOMAIN], apps: [app] }],
    ...(o.managedIdentity ? { managedIdentity: { identityHeader: o.managedIdentity.identityHeader, tenantId: TENANT_ID, clientId: o.managedIdentity.clientId, roles: o.managedIdentity.roles } } : {}),
  });
  const graph: GraphSim = createGraphSim({ tenant, verifyBearer: login.verifyBearer, options: { seed: 5, ...o.graph } });
  const graphOrigin = o.graphOrigin ?? GRAPH;
  const loginOrigin = o.loginOrigin ?? LOGIN;
  const authHeaders: string[] = [];
  const graphHandler: SimHandler = (req) => {
    const auth = req.headers.get('authorization');
    if (auth) authHeaders.push(auth);
    return graph.handle(req);
  };
  const loginOrigins = [loginOrigin, ...(o.extraLoginOrigins ?? []), ...(o.managedIdentity ? [o.managedIdentity.origin] : [])];
  const server = setupServer(...simHandlers(login.handle, loginOrigins), ...simHandlers(graphHandler, [graphOrigin]));
  server.listen({ onUnhandledRequest: 'error' });
  const env: Record<string, string> = {
    AZURE_TENANT_ID: TENANT_ID,
    AZURE_CLIENT_ID: CLIENT_ID,
    AZURE_CLIENT_SECRET: SECRET,
    AZURE_AUTHORITY_HOST: loginOrigin,
    GRAPH_ENDPOINT: graphOrigin,
  };
  const config = (extra: Record<string, string | undefined> = {}): Readonly<Config> =>
    loadConfig({ env: { ...env, ...extra }, cwd: mkdtempSync(join(tmpdir(), 'ee-check-')), require: 'credentials' });
  return {
    tenant,
    app,
    login,
    graph,
    env,
    config,
    /** Every Authorization header Graph received (to prove no token is printed). */
    authHeaders,
    /** runCheck with fast retries. */
    check: (opts: Partial<CheckOptions> = {}, extraEnv: Record<string, string | undefined> = {}): Promise<CheckReport> =>
      runCheck({ config: config(extraEnv), retry: fastRetry, ...opts }),
    close: () => server.close(),
  };
}

export type CheckWorld = ReturnType<typeof createCheckWorld>;

/**
 * Runs `entra-extract check <args>` in process through checkCommand, the way main() will once the
 * command is registered: commander's usage errors and thrown errors go through handleError.
 */
export async function runCheckCli(args: string[], env: Record<string, string | undefined>, cwd?: string) {
  const r = await runCliInProcess('check', args, { env, cwd });
  return { exit: r.code, stdout: r.stdout, stderr: r.stderr, cwd: r.cwd };
}
