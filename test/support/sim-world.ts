import { setupServer } from 'msw/node';
import type Database from 'better-sqlite3';
import { createGraphSim, type GraphSim, type GraphSimOptions } from '../../src/sim/graph/index.js';
import { createGraphProfile, type GraphProfile, type GraphProfileOptions } from '../../src/sim/graph/graph-profile.js';
import { createLoginSim } from '../../src/sim/login/login-sim.js';
import type { LoginSim, SimFederatedCredential, SimOidcIssuer } from '../../src/sim/login/login-sim-types.js';
import { generateTenant, type GenerateTenantOptions, type Tenant } from '../../src/sim/tenant/index.js';
import type { SimHandler } from '../../src/sim/sim-http.js';
import { loadConfig } from '../../src/config/index.js';
import type { Config } from '../../src/config/config.js';
import { simHandlers } from './msw-sim.js';

export const TENANT_ID = '3f1c2b4a-5d6e-4f70-8a9b-0c1d2e3f4a5b';
/** The tenant's domain: AZURE_TENANT_ID may name the tenant by it instead of its GUID. */
export const TENANT_DOMAIN = 'contoso-sim.onmicrosoft.com';
export const CLIENT_ID = '9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d';
export const SECRET = 'test-secret-Value~with.special_chars-123';
export const GRAPH = 'https://graph.sim.test';
export const LOGIN = 'https://login.sim.test';

export interface SimWorldOptions {
  tenant?: Partial<GenerateTenantOptions>;
  graph?: GraphSimOptions;
  roles?: string[];
  tokenLifetimeSeconds?: number;
  graphOrigin?: string;
  loginOrigin?: string;
  /** Federated identity credentials of the app (workload identity), beside its secret. */
  federatedCredentials?: SimFederatedCredential[];
  /** Graph's latency and limits around the simulation (src/sim/graph/graph-profile.ts). */
  profile?: GraphProfileOptions;
  /** External issuers whose tokens the login service can verify. */
  federatedIssuers?: SimOidcIssuer[];
}

export interface SimWorld {
  tenant: Tenant;
  graph: GraphSim;
  /** Set when the world was made with `profile`. */
  profile?: GraphProfile;
  login: LoginSim;
  /** Environment for loadConfig / the CLI: credentials and the simulated hosts. */
  env: Record<string, string>;
  config(dbPath: string): Readonly<Config>;
  /** Wraps the Graph handler, e.g. to act on the Nth request. */
  intercept(fn: (req: Parameters<SimHandler>[0], n: number) => void): void;
  close(): void;
}

/**
 * A simulated tenant with its login service and Graph, served in-process through msw with
 * onUnhandledRequest: 'error', so any request the code makes outside them fails the test.
 */
export function createSimWorld(o: SimWorldOptions = {}): SimWorld {
  const tenant = generateTenant({ seed: 11, users: 120, groups: 20, memberships: 600, ...o.tenant });
  const login = createLoginSim({
    tenants: [{
      id: TENANT_ID, domains: [TENANT_DOMAIN],
      apps: [{
        clientId: CLIENT_ID, secrets: [{ value: SECRET }], roles: o.roles ?? ['User.Read.All', 'GroupMember.Read.All'],
        ...(o.federatedCredentials ? { federatedCredentials: o.federatedCredentials } : {}),
      }],
    }],
    tokenLifetimeSeconds: o.tokenLifetimeSeconds,
    ...(o.federatedIssuers ? { federatedIssuers: o.federatedIssuers } : {}),
  });
  const graph = createGraphSim({ tenant, verifyBearer: login.verifyBearer, options: { seed: 5, userPageUnits: [10, 30], groupPageUnits: [20, 120], ...o.graph } });
  const profile = o.profile ? createGraphProfile(graph, o.profile) : undefined;
  const graphOrigin = o.graphOrigin ?? GRAPH;
  const loginOrigin = o.loginOrigin ?? LOGIN;
  let n = 0;
  let hook: ((req: Parameters<SimHandler>[0], n: number) => void) | undefined;
  const graphHandler: SimHandler = (req) => {
    n++;
    hook?.(req, n);
    return profile ? profile.handle(req) : graph.handle(req);
  };
  const server = setupServer(...simHandlers(login.handle, [loginOrigin]), ...simHandlers(graphHandler, [graphOrigin]));
  server.listen({ onUnhandledRequest: 'error' });
  const env = {
    AZURE_TENANT_ID: TENANT_ID,
    AZURE_CLIENT_ID: CLIENT_ID,
    AZURE_CLIENT_SECRET: SECRET,
    AZURE_AUTHORITY_HOST: loginOrigin,
    GRAPH_ENDPOINT: graphOrigin,
  };
  return {
    tenant,
    graph,
    ...(profile ? { profile } : {}),
    login,
    env,
    config: (dbPath) => loadConfig({ env: { ...env, ENTRA_DB: dbPath }, cwd: '/', require: 'credentials' }),
    intercept(fn) {
      hook = fn;
    },
    close: () => server.close(),
  };
}

export interface DbState {
  entities: string[];
  relations: string[];
}

/** The live objects and the effective access of the database, in the same shape as the tenant's truth. */
export function liveState(db: Database.Database): DbState {
  const entities = (db.prepare('SELECT entity_type, id FROM entities WHERE deleted_at IS NULL').raw().all() as string[][]).map((r) => r.join('|'));
  const relations = (
    db.prepare('SELECT relation, source_type, source_id, target_type, target_id FROM effective_relations').raw().all() as string[][]
  ).map((r) => r.join('|'));
  return { entities: entities.sort(), relations: relations.sort() };
}

/** Every live row of entity_relations, effective or held by a soft-deleted object. */
export function storedLinks(db: Database.Database): string[] {
  return (
    db.prepare('SELECT relation, source_type, source_id, target_type, target_id FROM entity_relations WHERE deleted_at IS NULL').raw().all() as string[][]
  ).map((r) => r.join('|')).sort();
}

export function truthState(tenant: Tenant): DbState {
  const t = tenant.truth();
  return {
    entities: t.entities.map((e) => `${e.type}|${e.id}`).sort(),
    relations: t.relations.map((r) => `${r.relation}|${r.sourceType}|${r.sourceId}|${r.targetType}|${r.targetId}`).sort(),
  };
}
