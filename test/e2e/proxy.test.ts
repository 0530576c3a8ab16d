/**
 * Behind a corporate proxy: the built CLI, run as a child process with HTTPS_PROXY / NO_PROXY, sends
 * its login and Graph requests through a local proxy (or around it), with certificate checks on
 * (the child trusts the loopback CA through NODE_EXTRA_CA_CERTS only).
 *
 * To see that nothing goes around the proxy, the CLI is given a login host and a Graph host whose
 * ports are traps (they serve nothing and count connections); only the proxy knows that those
 * host:port pairs are really served by the simulation. A pull that succeeds with zero trap hits
 * reached the simulation through the proxy for every request.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalProxy, startTrap, type LocalProxy, type ProxyTarget, type Trap } from './local-proxy.js';
import { dbState, outputsHoldingSecrets, runCli, startWorld, tempDir, truthState, type World } from './support.js';

interface PullJson {
  ok: boolean;
  requests: number;
}

/** Every proxy variable in either case: the child sees only what a test sets. */
const NO_PROXY_VARS = Object.fromEntries(
  ['HTTPS_PROXY', 'HTTP_PROXY', 'NO_PROXY', 'ALL_PROXY'].flatMap((n) => [[n, undefined], [n.toLowerCase(), undefined]]),
) as Record<string, undefined>;

const PROXY_USER = 'svc-entra';
const PROXY_PASSWORD = 'pr0xy@pass:w/rd';

let world: World;
let real: ProxyTarget;
const closers: { close(): Promise<void> }[] = [];

beforeAll(async () => {
  world = await startWorld();
  closers.push(world);
  const origin = new URL(world.origin);
  real = { host: origin.hostname, port: Number(origin.port) };
});
afterAll(async () => {
  await Promise.all(closers.map((c) => c.close()));
});

/** A login host and a Graph host the CLI can reach only through `proxy` (see the file comment). */
async function hiddenHosts(): Promise<{ login: Trap; graph: Trap; loginHost: string; graphHost: string; route: (t: ProxyTarget) => ProxyTarget | undefined }> {
  const login = await startTrap();
  const graph = await startTrap();
  closers.push(login, graph);
  // Two different hosts, both named in the loopback certificate (localhost, 127.0.0.1).
  const loginHost = `localhost:${login.port}`;
  const graphHost = `127.0.0.1:${graph.port}`;
  const route = (t: ProxyTarget) => ([loginHost, graphHost].includes(`${t.host}:${t.port}`) ? real : undefined);
  return { login, graph, loginHost, graphHost, route };
}

async function proxy(options: Parameters<typeof startLocalProxy>[0]): Promise<LocalProxy> {
  const p = await startLocalProxy(options);
  closers.push(p);
  return p;
}

describe('behind a proxy', () => {
  it('HTTPS_PROXY: login and every Graph request go through the proxy, and the pull is complete', async () => {
    const { login, graph, loginHost, graphHost, route } = await hiddenHosts();
    const p = await proxy({ route });
    const graphHosts = new Set<string>();
    world.before = (req) => void graphHosts.add(req.url.host);
    const graphBefore = world.graphRequests;
    const tokensBefore = world.tokenRequests;
    const dir = tempDir();
    const db = join(dir, 'entra.db');
    try {
      const r = await runCli(['pull', '--db', db, '--json'], {
        env: world.env({ ...NO_PROXY_VARS, HTTPS_PROXY: p.url, AZURE_AUTHORITY_HOST: `https://${loginHost}`, GRAPH_ENDPOINT: `https://${graphHost}` }),
        cwd: dir,
      });
      expect(r.code, r.stderr).toBe(0);
      const summary = JSON.parse(r.stdout) as PullJson;
      expect(summary.ok).toBe(true);
      expect(dbState(db)).toEqual(truthState(world.tenant));

      // The proxy was asked for tunnels to both hosts, and only to them.
      expect(new Set(p.connects)).toEqual(new Set([loginHost, graphHost]));
      expect(p.tunnels).toBeGreaterThanOrEqual(2);
      expect(p.requests).toEqual([]);
      // Nothing went direct: no connection to either host's real port.
      expect(login.hits).toBe(0);
      expect(graph.hits).toBe(0);
      // Every Graph request the simulation answered came addressed to the hidden Graph host, i.e.
      // through a tunnel; and it answered every request the CLI counted.
      expect(world.graphRequests - graphBefore).toBe(summary.requests);
      expect(summary.requests).toBeGreaterThan(2);
      expect([...graphHosts]).toEqual([graphHost]);
      expect(world.tokenRequests - tokensBefore).toBeGreaterThanOrEqual(1);
    } finally {
      world.before = undefined;
    }
  }, 60_000);

  it('NO_PROXY listing both hosts: the proxy sees nothing and the pull still works', async () => {
    const p = await proxy({});
    const dir = tempDir();
    const db = join(dir, 'entra.db');
    const r = await runCli(['pull', '--db', db], {
      env: world.env({
        ...NO_PROXY_VARS,
        HTTPS_PROXY: p.url,
        NO_PROXY: 'localhost, 127.0.0.1',
        AZURE_AUTHORITY_HOST: `https://localhost:${real.port}`,
        GRAPH_ENDPOINT: `https://127.0.0.1:${real.port}`,
      }),
      cwd: dir,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(dbState(db)).toEqual(truthState(world.tenant));
    expect(p.connects).toEqual([]);
    expect(p.requests).toEqual([]);
  }, 60_000);

  it('a proxy that wants credentials: user and password from the proxy URL reach it for both hosts; without them, exit 1 naming the proxy', async () => {
    const { login, graph, loginHost, graphHost, route } = await hiddenHosts();
    const p = await proxy({ route, credentials: { user: PROXY_USER, password: PROXY_PASSWORD } });
    const withCredentials = p.url.replace('//', `//${encodeURIComponent(PROXY_USER)}:${encodeURIComponent(PROXY_PASSWORD)}@`);
    const hosts = { AZURE_AUTHORITY_HOST: `https://${loginHost}`, GRAPH_ENDPOINT: `https://${graphHost}` };

    const dir = tempDir();
    const db = join(dir, 'entra.db');
    const ok = await runCli(['pull', '--db', db], { env: world.env({ ...NO_PROXY_VARS, ...hosts, HTTPS_PROXY: withCredentials }), cwd: dir });
    expect(ok.code, ok.stderr).toBe(0);
    expect(dbState(db)).toEqual(truthState(world.tenant));
    expect(new Set(p.connects)).toEqual(new Set([loginHost, graphHost]));
    expect(p.refused).toBe(0);

    const dir2 = tempDir();
    const denied = await runCli(['pull', '--db', join(dir2, 'entra.db')], { env: world.env({ ...NO_PROXY_VARS, ...hosts, HTTPS_PROXY: p.url }), cwd: dir2 });
    expect(denied.code).toBe(1);
    expect(p.refused).toBeGreaterThan(0);
    expect(denied.stderr).toMatch(/proxy/i);
    expect(login.hits + graph.hits).toBe(0);

    for (const s of [PROXY_PASSWORD, encodeURIComponent(PROXY_PASSWORD)]) expect(outputsHoldingSecrets([s])).toEqual([]);
  }, 60_000);
});
