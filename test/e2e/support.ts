/**
 * End-to-end support: the simulated login service and Graph served over real loopback HTTPS from
 * the test process, and the built CLI (bin/entra-extract.js → dist/) run as child processes that
 * trust the loopback CA through NODE_EXTRA_CA_CERTS only (certificate checks stay on).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { createGraphSim, type GraphSim, type GraphSimOptions } from '../../src/sim/graph/index.js';
import { createLoginSim } from '../../src/sim/login/login-sim.js';
import { startSimServer, type SimServer } from '../../src/sim/https-server.js';
import type { SimHandler, SimRequest, SimResponse } from '../../src/sim/sim-http.js';
import { generateTenant, type GenerateTenantOptions, type Tenant } from '../../src/sim/tenant/index.js';
import { liveState, truthState, type DbState } from '../support/sim-world.js';

export { liveState, truthState, type DbState };

export const REPO = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const BIN = join(REPO, 'bin', 'entra-extract.js');
const TLS = join(REPO, 'fixtures', 'tls');

export const TENANT_ID = '7c0e4b2a-1d3f-4a5b-8c6d-9e0f1a2b3c4d';
export const OTHER_TENANT_ID = 'b1e2d3c4-a5b6-4c7d-8e9f-0a1b2c3d4e5f';
export const CLIENT_ID = '2d4f6a8c-0e1b-4d3f-9a5c-7e9b1d3f5a7c';
/** Distinctive, so a search of outputs and database bytes cannot miss it. */
export const SECRET = 'e2e-SECRET~Zq8.vW3_xK9-never-print-me';
export const WRONG_SECRET = 'e2e-WRONG~Rt5.yU2_mN7-also-never-print';
export const DEMO_SECRET = 'demo-only-secret-for-the-simulated-tenant';

/** Every secret any run of the suite was given; none may ever show up in output or a database. */
export const ALL_SECRETS = [SECRET, WRONG_SECRET, DEMO_SECRET];

export interface WorldOptions {
  tenant?: Partial<GenerateTenantOptions>;
  graph?: GraphSimOptions;
  roles?: string[];
  /** Added before answering each Graph request, so a pull lasts long enough to commit mid-way. */
  latencyMs?: number;
}

/** Called for each Graph request before it is answered; may delay it, or answer it instead. */
export type BeforeHook = (req: SimRequest, n: number) => void | SimResponse | Promise<void | SimResponse>;
/** Called once the response to Graph request n has been handed to the server for writing. */
export type AfterHook = (req: SimRequest, n: number) => void;

export interface World {
  tenant: Tenant;
  readonly origin: string;
  /** Graph requests (/v1.0/...) received so far. */
  readonly graphRequests: number;
  /** Token requests received so far. */
  readonly tokenRequests: number;
  before: BeforeHook | undefined;
  after: AfterHook | undefined;
  /** Child environment: credentials, hosts, CA; nothing AZURE_/ENTRA_/GRAPH_ENDPOINT inherited. */
  env(extra?: Record<string, string | undefined>): NodeJS.ProcessEnv;
  close(): Promise<void>;
}

/**
 * One tenant, its login service and Graph behind one HTTPS origin. Users and groups are answered by
 * two Graph simulations over the same tenant, so each one's seeded page plan depends only on its own
 * (sequential) request chain, not on how the two collections interleave: the same sequence of pulls
 * makes the same number of requests every time.
 */
export async function startWorld(o: WorldOptions = {}): Promise<World> {
  const tenant = generateTenant({ seed: 21, users: 150, groups: 25, memberships: 600, directory: { tenantId: TENANT_ID }, ...o.tenant });
  const login = createLoginSim({
    tenants: [{ id: TENANT_ID, apps: [{ clientId: CLIENT_ID, secrets: [{ value: SECRET }], roles: o.roles ?? ['User.Read.All', 'GroupMember.Read.All'] }] }],
  });
  const graphOptions: GraphSimOptions = { userPageUnits: [5, 15], groupPageUnits: [10, 40], ...o.graph };
  const usersGraph: GraphSim = createGraphSim({ tenant, verifyBearer: login.verifyBearer, options: { seed: 3, ...graphOptions } });
  const groupsGraph: GraphSim = createGraphSim({ tenant, verifyBearer: login.verifyBearer, options: { seed: 4, ...graphOptions } });
  let graphRequests = 0;
  let tokenRequests = 0;
  let origin = '';
  const world: World = {
    tenant,
    get origin() {
      return origin;
    },
    get graphRequests() {
      return graphRequests;
    },
    get tokenRequests() {
      return tokenRequests;
    },
    before: undefined,
    after: undefined,
    env(extra: Record<string, string | undefined> = {}) {
      return childEnv({
        AZURE_TENANT_ID: TENANT_ID,
        AZURE_CLIENT_ID: CLIENT_ID,
        AZURE_CLIENT_SECRET: SECRET,
        AZURE_AUTHORITY_HOST: origin,
        GRAPH_ENDPOINT: origin,
        ...extra,
      });
    },
    close: () => server.close(),
  };
  const handler: SimHandler = async (req) => {
    if (!req.url.pathname.startsWith('/v1.0/')) {
      if (/\/token$/.test(req.url.pathname)) tokenRequests++;
      return login.handle(req);
    }
    const n = ++graphRequests;
    const early = await world.before?.(req, n);
    if (early) return early;
    if (o.latencyMs) await new Promise((r) => setTimeout(r, o.latencyMs));
    const res = await (/^\/v1\.0\/groups/i.test(req.url.pathname) ? groupsGraph : usersGraph).handle(req);
    const after = world.after;
    // The server writes the response as soon as this promise settles; setImmediate runs after that.
    if (after) setImmediate(() => after(req, n));
    return res;
  };
  // eslint-disable-next-line prefer-const
  let server: SimServer;
  server = await startSimServer({
    handler,
    tls: { cert: readFileSync(join(TLS, 'server.pem')), key: readFileSync(join(TLS, 'server-key.pem')) },
  });
  origin = server.origin;
  return world;
}

/** The parent's environment without AZURE_*, ENTRA_*, IDENTITY_*, GRAPH_ENDPOINT or proxy variables, plus the loopback CA and `vars`. */
export function childEnv(vars: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    // Proxy variables of a developer's machine would send loopback traffic to the proxy; the proxy
    // test sets its own.
    if (!/^(AZURE_|ENTRA_|IDENTITY_|GRAPH_ENDPOINT$|NODE_TLS_REJECT_UNAUTHORIZED$|FORCE_COLOR$)/.test(k) && !/^(https?_proxy|no_proxy|all_proxy)$/i.test(k)) env[k] = v;
  }
  env.NODE_EXTRA_CA_CERTS = join(TLS, 'ca.pem');
  for (const [k, v] of Object.entries(vars)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

export interface CliResult {
  args: string[];
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export interface CliRun {
  child: ChildProcess;
  done: Promise<CliResult>;
  /** SIGKILLs the child (if still running) and resolves once it has exited. */
  kill(): Promise<void>;
}

/** Every CLI result of this test file, for the secrets check. */
export const results: CliResult[] = [];

/**
 * The engine's end-to-end tests pull users and groups, the collections whose simulation they change
 * and check: a `pull` without `--only` gets `--only users,groups` unless `allCollections` is set.
 */
function withCoreCollections(args: string[], all: boolean | undefined): string[] {
  return args[0] === 'pull' && !args.includes('--only') && !all ? [...args, '--only', 'users,groups'] : args;
}

export function startCli(args: string[], o: { env: NodeJS.ProcessEnv; cwd: string; allCollections?: boolean }): CliRun {
  const t0 = Date.now();
  const child = spawn(process.execPath, [BIN, ...withCoreCollections(args, o.allCollections)], { env: o.env, cwd: o.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<void>((res) => child.once('exit', () => res()));
  const done = new Promise<CliResult>((res, rej) => {
    child.once('error', rej);
    child.once('close', (code, signal) => {
      const r = { args, code, signal, stdout, stderr, ms: Date.now() - t0 };
      results.push(r);
      res(r);
    });
  });
  return {
    child,
    done,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

export function runCli(args: string[], o: { env: NodeJS.ProcessEnv; cwd: string; allCollections?: boolean }): Promise<CliResult> {
  return startCli(args, o).done;
}

export function tempDir(prefix = 'ee-e2e-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function withDb<T>(path: string, fn: (db: Database.Database) => T, readonly = true): T {
  const db = new Database(path, { readonly, fileMustExist: true });
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

export function dbState(path: string): DbState {
  return withDb(path, liveState);
}

export interface Tombstones {
  entities: string[];
  relations: string[];
}

export function tombstones(path: string): Tombstones {
  return withDb(path, (db) => ({
    entities: (db.prepare('SELECT entity_type, id FROM entities WHERE deleted_at IS NOT NULL').raw().all() as string[][]).map((r) => r.join('|')).sort(),
    relations: (
      db.prepare('SELECT relation, source_type, source_id, target_type, target_id FROM entity_relations WHERE deleted_at IS NOT NULL').raw().all() as string[][]
    )
      .map((r) => r.join('|'))
      .sort(),
  }));
}

export interface RunLedgerRow {
  id: number;
  command: string;
  outcome: string;
  ended_at: string | null;
}

export function runsOf(path: string): RunLedgerRow[] {
  return withDb(path, (db) => db.prepare('SELECT id, command, outcome, ended_at FROM runs ORDER BY id').all() as RunLedgerRow[]);
}

export function runCollections(path: string, runId: number): Record<string, { mode: string; outcome: string }> {
  return withDb(path, (db) =>
    Object.fromEntries(
      (db.prepare('SELECT collection, mode, outcome FROM run_collections WHERE run_id = ?').all(runId) as { collection: string; mode: string; outcome: string }[]).map(
        (r) => [r.collection, { mode: r.mode, outcome: r.outcome }],
      ),
    ),
  );
}

/** Names of the files in `dir` whose bytes contain one of the secrets (database, WAL, SHM, lock, anything). */
export function filesHoldingSecrets(dir: string, secrets: readonly string[] = ALL_SECRETS): string[] {
  if (!existsSync(dir)) return [];
  const hits: string[] = [];
  for (const name of readdirSync(dir, { recursive: true }) as string[]) {
    const full = join(dir, name);
    let bytes: Buffer;
    try {
      bytes = readFileSync(full);
    } catch {
      continue; // a folder
    }
    for (const s of secrets) {
      if (bytes.includes(Buffer.from(s, 'utf8')) || bytes.includes(Buffer.from(s, 'utf16le'))) hits.push(`${name}: ${s}`);
    }
  }
  return hits;
}

/** CLI results of this file whose stdout or stderr contains a secret. */
export function outputsHoldingSecrets(secrets: readonly string[] = ALL_SECRETS): string[] {
  const hits: string[] = [];
  for (const r of results) {
    for (const s of secrets) {
      if (r.stdout.includes(s)) hits.push(`stdout of ${r.args.join(' ')}`);
      if (r.stderr.includes(s)) hits.push(`stderr of ${r.args.join(' ')}`);
    }
  }
  return hits;
}

/** A deferred promise: the handler awaits `promise`, the test calls `resolve`. */
export function gate(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}
