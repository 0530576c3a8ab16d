import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGraphSim } from '../../src/sim/graph/graph-sim.js';
import { startSimServer } from '../../src/sim/https-server.js';
import { json } from '../../src/sim/sim-http.js';
import { generateTenant } from '../../src/sim/tenant/generate-tenant.js';
import { simHandlers } from '../support/msw-sim.js';
import { ALL_ROLES, ORIGIN, fakeVerify, get } from './helpers.js';

const USERS = `${ORIGIN}/v1.0/users/delta`;

function setup(clock: { t: number }) {
  const tenant = generateTenant({ seed: 2, users: 100, groups: 5, memberships: 200 });
  return createGraphSim({ tenant, verifyBearer: fakeVerify, options: { now: () => clock.t } });
}

describe('throttling', () => {
  it.each([
    ['integer', 2.2, /^3$/, 3000],
    ['decimal', 2.128, /^2\.128$/, 2128],
  ] as const)('Retry-After %s is well-formed and early retries are violations', async (form, seconds, re, windowMs) => {
    const clock = { t: 1_700_000_000_123 };
    const sim = setup(clock);
    sim.throttle.set({ every: 2, retryAfter: form, seconds });
    expect((await get(sim, USERS)).status).toBe(200);
    const r = await get(sim, USERS);
    expect(r.status).toBe(429);
    expect(r.headers!['retry-after']).toMatch(re);
    expect(r.headers!['x-ms-throttle-scope']).toMatch(/^Tenant_Application\/ReadWrite\//);
    expect(r.json.error).toMatchObject({ code: 'TooManyRequests', innerError: { code: '429', status: '429' } });
    clock.t += windowMs - 10;
    expect((await get(sim, USERS)).status).toBe(429);
    expect(sim.throttle.violations()).toHaveLength(1);
    clock.t = sim.throttle.openUntil;
    expect((await get(sim, USERS)).status).toBe(200);
    expect(sim.throttle.violations()).toHaveLength(1);
  });

  it('Retry-After as an HTTP-date ends on a whole second that covers the wait', async () => {
    const clock = { t: 1_700_000_000_400 };
    const sim = setup(clock);
    sim.throttle.set({ every: 1, retryAfter: 'http-date', seconds: 1 });
    const r = await get(sim, USERS);
    const date = Date.parse(r.headers!['retry-after']!);
    expect(r.headers!['retry-after']).toMatch(/^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
    expect(date % 1000).toBe(0);
    expect(date).toBeGreaterThanOrEqual(clock.t + 1000);
    sim.throttle.off();
    clock.t = date - 500;
    expect((await get(sim, USERS)).status).toBe(429);
    clock.t = date + 600;
    expect((await get(sim, USERS)).status).toBe(200);
    expect(sim.throttle.violations()).toHaveLength(1);
  });

  it("'none' sends no Retry-After", async () => {
    const sim = setup({ t: 0 });
    sim.throttle.set({ every: 1, retryAfter: 'none', seconds: 1 });
    const r = await get(sim, USERS);
    expect(r.status).toBe(429);
    expect(r.headers!['retry-after']).toBeUndefined();
  });
});

describe('faults', () => {
  it('fire the given number of times on matching paths', async () => {
    const sim = setup({ t: 0 });
    sim.faults.add({ path: /groups/, status: 503, times: 2 });
    sim.faults.add({ path: /users/, status: 504, graphCode: 'GatewayTimeout' });
    const g1 = await get(sim, `${ORIGIN}/v1.0/groups/delta`);
    const g2 = await get(sim, `${ORIGIN}/v1.0/groups/delta`);
    const g3 = await get(sim, `${ORIGIN}/v1.0/groups/delta`);
    expect([g1.status, g2.status, g3.status]).toEqual([503, 503, 200]);
    const u = await get(sim, USERS);
    expect(u.json.error.code).toBe('GatewayTimeout');
    expect((await get(sim, USERS)).status).toBe(200);
    sim.faults.add({ status: 0, reset: true });
    expect((await sim.handle({ method: 'GET', url: new URL(USERS), headers: new Headers(), body: '' }))!.reset).toBe(true);
    expect(sim.faults.pending()).toBe(0);
  });

  it('serves through msw with its absolute links', async () => {
    const sim = setup({ t: Date.now() });
    const server = setupServer(...simHandlers(sim.handle, [ORIGIN]));
    server.listen({ onUnhandledRequest: 'error' });
    try {
      const res = await fetch(`${ORIGIN}/v1.0/groups/delta`, { headers: { authorization: ALL_ROLES } });
      expect(res.status).toBe(200);
      expect(res.headers.get('request-id')).toMatch(/^[0-9a-f-]{36}$/);
      const body = (await res.json()) as Record<string, string>;
      expect(body['@odata.deltaLink'] ?? body['@odata.nextLink']).toMatch(/^https:\/\/graph\.sim\.test\/v1\.0\/groups\/delta\?/);
    } finally {
      server.close();
    }
  });
});

describe('https server', () => {
  const tls = { cert: readFileSync('fixtures/tls/server.pem'), key: readFileSync('fixtures/tls/server-key.pem') };
  const ca = readFileSync('fixtures/tls/ca.pem');
  let srv: Awaited<ReturnType<typeof startSimServer>>;
  beforeAll(async () => {
    srv = await startSimServer({
      handler: (req) => (req.url.pathname === '/reset' ? { status: 0, reset: true } : req.url.pathname === '/hello' ? json(200, { origin: req.url.origin }) : undefined),
      tls,
    });
  });
  afterAll(() => srv.close());

  const call = (path: string, host = '127.0.0.1') =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const url = new URL(path, srv.origin.replace('127.0.0.1', host));
      const req = request(url, { ca }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      });
      req.on('error', reject);
      req.end();
    });

  it('serves over TLS trusted through the fixture CA, for 127.0.0.1 and localhost', async () => {
    expect(srv.origin).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const r = await call('/hello');
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body).origin).toBe(srv.origin);
    expect((await call('/hello', 'localhost')).status).toBe(200);
  });

  it('answers 404 JSON when the handler does not, and drops the connection on reset', async () => {
    const r = await call('/nothing');
    expect(r.status).toBe(404);
    expect(JSON.parse(r.body).error.code).toBe('NotFound');
    await expect(call('/reset')).rejects.toThrow(/socket hang up|ECONNRESET/);
  });
});
