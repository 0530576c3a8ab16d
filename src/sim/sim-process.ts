/**
 * A simulated Entra tenant served over loopback HTTPS from its own process, for the benchmark and
 * end-to-end tests. Prints one JSON line {"origin", ...} when listening, then obeys JSON commands
 * on stdin, one per line, answering one JSON line each:
 *   {"cmd":"mutate","fraction":0.01[,"seed":N]}   random changes to that share of objects and links
 *   {"cmd":"stats"}                                 tenant and server counters
 *   {"cmd":"throttle","every":N,"retryAfter":"decimal","seconds":1} | {"cmd":"throttle","off":true}
 *   {"cmd":"fault", ...FaultSpec with "path" as a regex string}  e.g. {"cmd":"fault","path":"/groups/","status":502}
 *                                                   or {"cmd":"fault","spoil":"html"} or {"cmd":"fault","resetAfterHeaders":true}
 *   {"cmd":"expireSkipTokens"} | {"cmd":"expireDeltaTokens","kind":"syncStateNotFound"|"resyncRequired"|"gone"}
 *   {"cmd":"wholeTruth","out":"/path.txt"}         writes the keys of every live object and effective link
 *                                                   of every collection, one per line (whole-truth.ts)
 *   {"cmd":"signIns","out":"/path.txt","from":ISO,"to":ISO,"at":ms}  ids of the sign-ins created in
 *                                                   [from, to] and visible at `at`, one per line
 *   {"cmd":"violations"}
 *   {"cmd":"exit"}
 * Options: --users --groups --memberships --seed --port --host --tenant-id --client-id --client-secret
 *          --roles (comma separated) --user-page-units min,max --group-page-units min,max
 *          --empty-page-rate --replay-rate --service-principals --app-role-assignments
 *          --sign-ins --sign-in-days (how many days the generated sign-ins span)
 *          --profile graph: Graph's latency and limits (graph-profile.ts; off by default): --latency-ms
 *          (per request, default 100), --row-latency-ms (per object or link entry, default 0.05),
 *          --ru-budget (identity resource units per 10 s, default 8000; 0 = none), and the reports
 *          limit of 5 requests per 10 s. The `stats` answer then has a `profile` object (RU used,
 *          429s, violations, delta pages and items per collection).
 */
import { readFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createGraphProfile, type GraphProfile } from './graph/graph-profile.js';
import { createGraphSim, type VerifyBearer } from './graph/graph-sim.js';
import type { FaultSpec } from './graph/faults.js';
import type { RetryAfterForm } from './graph/throttle.js';
import { walkDeltaChain } from './graph/walk-delta-chain.js';
import { startSimServer } from './https-server.js';
import type { LoginSim, LoginSimOptions } from './login/login-sim-types.js';
import type { SimHandler } from './sim-http.js';
import { generateTenant } from './tenant/generate-tenant.js';
import { wholeTruthKeys, writeLines } from './whole-truth.js';

function findTlsDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'fixtures', 'tls');
    if (existsSync(join(candidate, 'server.pem'))) return candidate;
    dir = dirname(dir);
  }
  throw new Error('fixtures/tls not found above ' + fileURLToPath(import.meta.url));
}

function pair(v: string | undefined, dflt: [number, number]): [number, number] {
  if (!v) return dflt;
  const [a, b] = v.split(',').map(Number);
  return [a ?? dflt[0], b ?? a ?? dflt[1]];
}

async function main(): Promise<void> {
  const { values: a } = parseArgs({
    options: {
      users: { type: 'string', default: '1000' },
      groups: { type: 'string', default: '100' },
      memberships: { type: 'string', default: '5000' },
      seed: { type: 'string', default: '1' },
      port: { type: 'string', default: '0' },
      host: { type: 'string', default: '127.0.0.1' },
      'tenant-id': { type: 'string', default: '11111111-2222-4333-8444-555555555555' },
      'client-id': { type: 'string', default: 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee' },
      'client-secret': { type: 'string', default: 'sim-secret-not-a-real-credential' },
      roles: { type: 'string', default: 'User.Read.All,GroupMember.Read.All' },
      'user-page-units': { type: 'string' },
      'group-page-units': { type: 'string' },
      'empty-page-rate': { type: 'string', default: '0' },
      'replay-rate': { type: 'string', default: '0' },
      'service-principals': { type: 'string' },
      'app-role-assignments': { type: 'string' },
      'sign-ins': { type: 'string' },
      'sign-in-days': { type: 'string' },
      profile: { type: 'string' },
      'latency-ms': { type: 'string' },
      'row-latency-ms': { type: 'string' },
      'ru-budget': { type: 'string' },
    },
  });
  const seed = Number(a.seed);
  const t0 = Date.now();
  const tenantId = a['tenant-id']!;
  const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));
  const tenant = generateTenant({
    seed, users: Number(a.users), groups: Number(a.groups), memberships: Number(a.memberships),
    servicePrincipals: num(a['service-principals']),
    directory: { tenantId, appRoleAssignments: num(a['app-role-assignments']) },
    audit: { signIns: num(a['sign-ins']), days: num(a['sign-in-days']) },
  });
  const generatedMs = Date.now() - t0;
  const clientId = a['client-id']!;
  const roles = a.roles!.split(',').map((r) => r.trim()).filter(Boolean);

  let login: LoginSim | undefined;
  try {
    const mod = (await import('./login/login-sim.js')) as { createLoginSim?: (o: LoginSimOptions) => LoginSim };
    login = mod.createLoginSim?.({ tenants: [{ id: tenantId, apps: [{ clientId, secrets: [{ value: a['client-secret']! }], roles }] }] });
  } catch {
    login = undefined;
  }
  // Without a login simulation no token can be valid: every Graph request then gets 401.
  const verifyBearer: VerifyBearer = login
    ? (h, aud) => login!.verifyBearer(h, aud)
    : () => ({ ok: false, status: 401, code: 'InvalidAuthenticationToken', message: 'Access token validation failure.' });
  const graph = createGraphSim({
    tenant, verifyBearer,
    options: {
      seed,
      userPageUnits: pair(a['user-page-units'], [100, 200]),
      groupPageUnits: pair(a['group-page-units'], [200, 3000]),
      emptyPageRate: Number(a['empty-page-rate']),
      replayRate: Number(a['replay-rate']),
    },
  });
  if (a.profile !== undefined && a.profile !== 'graph') throw new Error(`unknown --profile ${a.profile} (only "graph")`);
  const profile: GraphProfile | undefined = a.profile === 'graph'
    ? createGraphProfile(graph, {
      latencyMs: num(a['latency-ms']), rowLatencyMs: num(a['row-latency-ms']), ruBudget: num(a['ru-budget']), appId: clientId, tenantId,
    })
    : undefined;
  const handler: SimHandler = profile
    ? async (req) => (login ? await login.handle(req) : undefined) ?? profile.handle(req)
    : async (req) => (login ? await login.handle(req) : undefined) ?? graph.handle(req);
  const tlsDir = findTlsDir();
  const server = await startSimServer({
    handler, host: a.host, port: Number(a.port),
    tls: { cert: readFileSync(join(tlsDir, 'server.pem')), key: readFileSync(join(tlsDir, 'server-key.pem')) },
  });
  const say = (v: unknown): void => void process.stdout.write(JSON.stringify(v) + '\n');
  say({
    origin: server.origin, tenantId, clientId, clientSecret: a['client-secret'], roles, login: login !== undefined,
    caFile: join(tlsDir, 'ca.pem'), ...(profile ? { profile: { name: 'graph', ...profile.options } } : {}), generatedMs, stats: tenant.stats(), directory: tenant.directory.stats(), audit: tenant.audit.stats(),
  });

  let mutateSeed = seed * 1000;
  const rl = createInterface({ input: process.stdin });
  const exit = async (): Promise<void> => {
    rl.close();
    await server.close();
    process.exit(0);
  };
  rl.on('line', (line) => {
    if (!line.trim()) return;
    let cmd: Record<string, unknown>;
    try {
      cmd = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return say({ ok: false, error: 'invalid JSON' });
    }
    try {
      switch (cmd.cmd) {
        case 'mutate': {
          const r = tenant.randomChanges(Number(cmd.fraction ?? 0.01), Number(cmd.seed ?? ++mutateSeed));
          return say({ ok: true, ...r, stats: tenant.stats() });
        }
        case 'stats':
          return say({
            ok: true, stats: tenant.stats(), directory: tenant.directory.stats(), audit: tenant.audit.stats(), server: graph.stats(),
            violations: graph.throttle.violations().length, memoryMb: Math.round(process.memoryUsage().rss / 1e6),
            ...(profile ? { profile: profile.stats() } : {}),
          });
        case 'throttle':
          if (cmd.off) graph.throttle.off();
          else graph.throttle.set({ every: Number(cmd.every), retryAfter: (cmd.retryAfter ?? 'decimal') as RetryAfterForm, seconds: Number(cmd.seconds ?? 1) });
          return say({ ok: true });
        case 'fault': {
          const spec = { ...cmd, path: typeof cmd.path === 'string' ? new RegExp(cmd.path) : undefined } as unknown as FaultSpec;
          graph.faults.add(spec);
          return say({ ok: true });
        }
        case 'expireSkipTokens':
          graph.expireSkipTokens();
          return say({ ok: true });
        case 'expireDeltaTokens':
          graph.expireDeltaTokens(cmd.kind as 'syncStateNotFound' | 'resyncRequired' | 'gone');
          return say({ ok: true });
        case 'wholeTruth': {
          const lines = writeLines(String(cmd.out), wholeTruthKeys(tenant, { tenantId, memberReadHidden: roles.includes('Member.Read.Hidden') }));
          return say({ ok: true, out: cmd.out, lines });
        }
        case 'signIns': {
          const ids = tenant.audit.visibleSignIns(Number(cmd.at), { from: String(cmd.from), to: String(cmd.to) }).map((e) => e.id);
          return say({ ok: true, out: cmd.out, lines: writeLines(String(cmd.out), ids) });
        }
        case 'violations':
          return say({ ok: true, violations: graph.throttle.violations() });
        case 'deltaChain': {
          // The cost of a delta-chain round of the tenant as it is now: {path} is its first request.
          void (async () => {
            const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: a['client-secret']!, scope: `${server.origin}/.default` });
            const token = await login?.handle({
              method: 'POST', url: new URL(`${server.origin}/${tenantId}/oauth2/v2.0/token`),
              headers: new Headers({ 'content-type': 'application/x-www-form-urlencoded' }), body: form.toString(),
            });
            if (token?.status !== 200 || !token.body) throw new Error(`no token for the walk (${token?.status ?? 'no login simulation'})`);
            const bearer = `Bearer ${(JSON.parse(token.body) as { access_token: string }).access_token}`;
            return walkDeltaChain(graph.handle, `${server.origin}${String(cmd.path)}`, bearer);
          })().then((cost) => say({ ok: true, ...cost }), (err: unknown) => say({ ok: false, error: (err as Error).message }));
          return;
        }
        case 'exit':
          say({ ok: true });
          return void exit();
        default:
          return say({ ok: false, error: `unknown command ${String(cmd.cmd)}` });
      }
    } catch (err) {
      return say({ ok: false, error: (err as Error).message });
    }
  });
  rl.on('close', () => void exit());
}

main().catch((err: unknown) => {
  process.stderr.write(`sim-process: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
