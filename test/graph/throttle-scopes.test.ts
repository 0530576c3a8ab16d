import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createGraphTransport } from '../../src/graph/transport.js';
import { throttleScopeOf } from '../../src/graph/throttle-scope.js';
import { FakeTokenSource, GRAPH, hasToken, realDelay, unauthorized } from './support.js';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

describe('throttle scopes', () => {
  it('names the reports scope for auditLogs, the identity scope for everything else', () => {
    expect(throttleScopeOf('/auditLogs/signIns?$top=1000')).toBe('reports');
    expect(throttleScopeOf(`${GRAPH}/v1.0/auditLogs/signIns?$skiptoken=x`)).toBe('reports');
    expect(throttleScopeOf('/reports/getOffice365ActiveUserDetail')).toBe('reports');
    expect(throttleScopeOf('/users/delta')).toBe('identity');
    expect(throttleScopeOf(`${GRAPH}/v1.0/users?$select=id,signInActivity`)).toBe('identity');
    expect(throttleScopeOf('/$batch')).toBe('identity');
  });

  it('a throttled sign-in request delays neither users nor groups, and its wait holds no concurrency slot', async () => {
    const tokens = new FakeTokenSource();
    // One slot: if the sign-in request kept it while waiting out Retry-After, users would wait 400 ms too.
    const transport = createGraphTransport({ graphEndpoint: GRAPH, tokenSource: tokens, concurrency: 1 });
    const log: { path: string; at: number; status: number }[] = [];
    let signInCalls = 0;
    server.use(
      http.get(`${GRAPH}/v1.0/auditLogs/signIns`, ({ request }) => {
        if (!hasToken(request, tokens)) return unauthorized();
        signInCalls++;
        const status = signInCalls === 1 ? 429 : 200;
        log.push({ path: 'signIns', at: Date.now(), status });
        return status === 429
          ? HttpResponse.json({ error: { code: 'TooManyRequests', message: 'Too many requests' } }, { status: 429, headers: { 'retry-after': '0.4' } })
          : HttpResponse.json({ value: [] });
      }),
      http.get(`${GRAPH}/v1.0/:collection/delta`, async ({ request, params }) => {
        if (!hasToken(request, tokens)) return unauthorized();
        log.push({ path: String(params.collection), at: Date.now(), status: 200 });
        await realDelay(5);
        return HttpResponse.json({ value: [], '@odata.deltaLink': `${GRAPH}/v1.0/x/delta?$deltatoken=1` });
      }),
    );
    const started = Date.now();
    const signIns = transport.get('/auditLogs/signIns?$top=1000');
    await realDelay(30); // the sign-in request has been answered 429 and is waiting
    const directory = await Promise.all([transport.get('/users/delta'), transport.get('/groups/delta'), transport.get('/users/delta')]);
    const directoryDone = Date.now();
    await signIns;
    expect(directory.every((r) => r.status === 200)).toBe(true);
    // The directory requests went while the reports window was closed.
    expect(directoryDone - started).toBeLessThan(300);
    const throttledAt = log.find((e) => e.status === 429)!.at;
    const retry = log.filter((e) => e.path === 'signIns' && e.status === 200);
    expect(retry).toHaveLength(1);
    // …and the sign-in retry waited its whole Retry-After.
    expect(retry[0]!.at - throttledAt).toBeGreaterThanOrEqual(400 - 2);
    expect(log.filter((e) => e.path !== 'signIns').every((e) => e.at < throttledAt + 400)).toBe(true);
    expect(transport.stats.throttled).toBe(1);
  });

  it('a 429 in the identity scope holds back identity requests but not sign-ins', async () => {
    const tokens = new FakeTokenSource();
    const transport = createGraphTransport({ graphEndpoint: GRAPH, tokenSource: tokens, concurrency: 2 });
    const log: { path: string; at: number; status: number }[] = [];
    let userCalls = 0;
    server.use(
      http.get(`${GRAPH}/v1.0/users/delta`, ({ request }) => {
        if (!hasToken(request, tokens)) return unauthorized();
        userCalls++;
        const status = userCalls === 1 ? 429 : 200;
        log.push({ path: 'users', at: Date.now(), status });
        return status === 429
          ? HttpResponse.json({ error: { code: 'TooManyRequests', message: 'x' } }, { status: 429, headers: { 'retry-after': '0.4' } })
          : HttpResponse.json({ value: [], '@odata.deltaLink': `${GRAPH}/v1.0/users/delta?$deltatoken=1` });
      }),
      http.get(`${GRAPH}/v1.0/groups/delta`, ({ request }) => {
        if (!hasToken(request, tokens)) return unauthorized();
        log.push({ path: 'groups', at: Date.now(), status: 200 });
        return HttpResponse.json({ value: [], '@odata.deltaLink': `${GRAPH}/v1.0/groups/delta?$deltatoken=1` });
      }),
      http.get(`${GRAPH}/v1.0/auditLogs/signIns`, ({ request }) => {
        if (!hasToken(request, tokens)) return unauthorized();
        log.push({ path: 'signIns', at: Date.now(), status: 200 });
        return HttpResponse.json({ value: [] });
      }),
    );
    const users = transport.get('/users/delta');
    await realDelay(30);
    const groups = transport.get('/groups/delta');
    const signIns = await transport.get('/auditLogs/signIns');
    const signInsAt = Date.now();
    await Promise.all([users, groups]);
    const throttledAt = log.find((e) => e.status === 429)!.at;
    expect(signIns.status).toBe(200);
    expect(signInsAt - throttledAt).toBeLessThan(300);
    // No identity request inside the identity window.
    for (const e of log.filter((x) => x.path !== 'signIns' && x.at > throttledAt)) expect(e.at - throttledAt).toBeGreaterThanOrEqual(400 - 2);
  });
});
