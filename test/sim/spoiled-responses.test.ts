import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createGraphSim, type GraphSim } from '../../src/sim/graph/graph-sim.js';
import type { SpoilKind } from '../../src/sim/graph/faults.js';
import { startSimServer } from '../../src/sim/https-server.js';
import { generateTenant } from '../../src/sim/tenant/generate-tenant.js';
import { simHandlers } from '../support/msw-sim.js';
import { ALL_ROLES, ORIGIN, fakeVerify } from './helpers.js';

/**
 * graph-facts 1.4 "Not every 200 is a page": a proxy, captive portal or gateway can answer 200 with
 * HTML, an empty or truncated body, and a connection can break after the headers. The simulation
 * serves the real page first, so a retry of the same URL gets it.
 */
const USERS = `${ORIGIN}/v1.0/users/delta?$select=displayName,jobTitle,manager`;
const JSON_TYPE = /^application\/json/;

let sim: GraphSim;
const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(() => server.close());
afterEach(() => server.resetHandlers());

function useSim(users = 150): GraphSim {
  const tenant = generateTenant({ seed: 3, users, groups: 8, memberships: 2 * users });
  sim = createGraphSim({ tenant, verifyBearer: fakeVerify, options: { userPageUnits: [20, 40] } });
  server.use(...simHandlers(sim.handle, [ORIGIN]));
  return sim;
}

const fetchGraph = (url: string, auth: string | null = ALL_ROLES) => fetch(url, { headers: auth ? { authorization: auth } : {} });

/** A nextLink (its page can be requested again and is the same), and that page's good text. */
async function pageUrl(): Promise<{ url: string; good: string }> {
  const first = (await (await fetchGraph(USERS)).json()) as Record<string, string>;
  const url = first['@odata.nextLink']!;
  return { url, good: await (await fetchGraph(url)).text() };
}

describe('spoiled 200s through msw', () => {
  const cases: { spoil: SpoilKind; type: RegExp; check: (body: string, good: string) => void }[] = [
    {
      spoil: 'truncated', type: JSON_TYPE,
      check: (body, good) => {
        expect(body).toBe(good.slice(0, Math.floor(good.length / 2)));
        expect(() => JSON.parse(body)).toThrow();
      },
    },
    { spoil: 'html', type: /^text\/html/, check: (body) => expect(body).toMatch(/^<!DOCTYPE html>[\s\S]*<form[\s\S]*<\/html>\s*$/) },
    { spoil: 'empty', type: JSON_TYPE, check: (body) => expect(body).toBe('') },
    { spoil: 'emptyObject', type: JSON_TYPE, check: (body) => expect(body).toBe('{}') },
    {
      spoil: 'noValue', type: JSON_TYPE,
      check: (body, good) => expect(JSON.parse(body)).toEqual({ '@odata.context': JSON.parse(good)['@odata.context'] }),
    },
    {
      spoil: 'noLinks', type: JSON_TYPE,
      check: (body, good) => {
        const page = JSON.parse(body);
        const want = JSON.parse(good);
        expect(want['@odata.nextLink']).toBeDefined();
        delete want['@odata.nextLink'];
        expect(page).toEqual(want);
        expect(page.value.length).toBeGreaterThan(0);
      },
    },
    { spoil: 'wrongContentType', type: /^text\/plain/, check: (body, good) => expect(body).toBe(good) },
  ];

  it.each(cases)('spoil $spoil', async ({ spoil, type, check }) => {
    useSim();
    const { url, good } = await pageUrl();
    sim.faults.add({ path: /\$skiptoken=/, spoil });
    const res = await fetchGraph(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(type);
    const body = await res.text();
    expect(res.headers.get('content-length')).toBe(String(Buffer.byteLength(body)));
    expect(res.headers.get('request-id')).toMatch(/^[0-9a-f-]{36}$/);
    check(body, good);
    expect(sim.requests.at(-1)).toMatchObject({ status: 200, spoiled: spoil });
    // The retry gets the real page.
    expect(await (await fetchGraph(url)).text()).toBe(good);
    expect(sim.faults.pending()).toBe(0);
  });

  it('noLinks on the last page drops the deltaLink', async () => {
    useSim(5);
    sim.faults.add({ spoil: 'noLinks' });
    const page = (await (await fetchGraph(USERS)).json()) as Record<string, unknown>;
    expect(page.value).toHaveLength(5);
    expect(page['@odata.deltaLink']).toBeUndefined();
    expect(page['@odata.nextLink']).toBeUndefined();
  });

  it('resetAfterHeaders: 200 with the full content-length, then reading the body fails after part of it', async () => {
    useSim();
    const { url, good } = await pageUrl();
    sim.faults.add({ path: /\$skiptoken=/, resetAfterHeaders: true });
    const res = await fetchGraph(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(JSON_TYPE);
    expect(res.headers.get('content-length')).toBe(String(Buffer.byteLength(good)));
    const reader = res.body!.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toBe(good.slice(0, Math.floor(good.length / 2)));
    await expect(reader.read()).rejects.toThrow(/terminated/);
    expect(sim.requests.at(-1)).toMatchObject({ status: 200, spoiled: 'resetAfterHeaders' });

    sim.faults.add({ path: /\$skiptoken=/, resetAfterHeaders: true });
    await expect((await fetchGraph(url)).text()).rejects.toThrow(/terminated/);
    expect(await (await fetchGraph(url)).text()).toBe(good);
  });

  it('fires only on a request that gets a page: a 401 leaves it pending; times counts pages', async () => {
    useSim();
    const { url, good } = await pageUrl();
    sim.faults.add({ path: /\$skiptoken=/, spoil: 'html', times: 2 });
    expect((await fetchGraph(url, null)).status).toBe(401);
    expect(sim.faults.pending()).toBe(2);
    for (let i = 0; i < 2; i++) expect(await (await fetchGraph(url)).text()).toMatch(/^<!DOCTYPE html>/);
    expect(await (await fetchGraph(url)).text()).toBe(good);
    expect(sim.faults.fired).toBe(2);
  });

  it('a spoiled first page was really served (its round started, as at Graph); the retry starts another round', async () => {
    useSim();
    sim.faults.add({ spoil: 'empty' });
    expect(await (await fetchGraph(USERS)).text()).toBe('');
    expect(sim.stats().rounds).toBe(1);
    const again = (await (await fetchGraph(USERS)).json()) as Record<string, unknown>;
    expect(again['@odata.nextLink']).toMatch(/\$skiptoken=/);
    expect(sim.stats().rounds).toBe(2);
  });
});

describe('server errors through msw', () => {
  it.each([
    [500, 'generalException'],
    [502, 'UnknownError'],
    [503, 'serviceNotAvailable'],
    [504, 'UnknownError'],
  ])('%i answers a Graph error body with code %s', async (status, code) => {
    useSim();
    sim.faults.add({ status });
    const res = await fetchGraph(USERS);
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toMatch(JSON_TYPE);
    const body = (await res.json()) as { error: { code: string; message: string; innerError: Record<string, string> } };
    expect(body.error.code).toBe(code);
    expect(body.error.message.length).toBeGreaterThan(0);
    expect(body.error.innerError['request-id']).toBe(res.headers.get('request-id'));
    expect(res.headers.get('retry-after')).toBeNull();
  });

  it('503 with Retry-After', async () => {
    useSim();
    sim.faults.add({ status: 503, headers: { 'Retry-After': '2' } });
    const res = await fetchGraph(USERS);
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('2');
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('serviceNotAvailable');
  });
});

describe('spoiled 200s through the https server', () => {
  const tls = { cert: readFileSync('fixtures/tls/server.pem'), key: readFileSync('fixtures/tls/server-key.pem') };
  const ca = readFileSync('fixtures/tls/ca.pem');
  let srv: Awaited<ReturnType<typeof startSimServer>>;
  let https: GraphSim;
  beforeAll(async () => {
    const tenant = generateTenant({ seed: 3, users: 150, groups: 8, memberships: 300 });
    https = createGraphSim({ tenant, verifyBearer: fakeVerify, options: { userPageUnits: [20, 40] } });
    srv = await startSimServer({ handler: https.handle, tls });
  });
  afterAll(() => srv.close());

  interface Got { status: number; headers: Record<string, string | string[] | undefined>; body: string; error?: Error }
  const call = (path: string) =>
    new Promise<Got>((resolve, reject) => {
      const req = request(new URL(path, srv.origin), { ca, headers: { authorization: ALL_ROLES } }, (res) => {
        let body = '';
        const done = (error?: Error) => resolve({ status: res.statusCode!, headers: res.headers, body, ...(error ? { error } : {}) });
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => done());
        res.on('error', (e) => done(e));
        res.on('aborted', () => done(new Error('aborted')));
      });
      req.on('error', reject);
      req.end();
    });

  async function nextPath(): Promise<{ path: string; good: string }> {
    const first = await call('/v1.0/users/delta?$select=displayName');
    const next = new URL(JSON.parse(first.body)['@odata.nextLink'] as string);
    const path = next.pathname + next.search;
    return { path, good: (await call(path)).body };
  }

  it('resetAfterHeaders: 200, the full content-length, part of the body, then a broken connection', async () => {
    const { path, good } = await nextPath();
    https.faults.add({ resetAfterHeaders: true });
    const got = await call(path);
    expect(got.status).toBe(200);
    expect(got.headers['content-length']).toBe(String(Buffer.byteLength(good)));
    expect(got.error?.message).toMatch(/aborted|ECONNRESET|socket hang up/);
    expect(got.body.length).toBeLessThan(good.length);
    expect(good.startsWith(got.body)).toBe(true);
    expect((await call(path)).body).toBe(good);
  });

  it('truncated: a well-formed 200 whose content-length is the half', async () => {
    const { path, good } = await nextPath();
    https.faults.add({ spoil: 'truncated' });
    const got = await call(path);
    expect(got.status).toBe(200);
    expect(got.error).toBeUndefined();
    expect(got.body).toBe(good.slice(0, Math.floor(good.length / 2)));
    expect(got.headers['content-length']).toBe(String(Buffer.byteLength(got.body)));
  });
});
