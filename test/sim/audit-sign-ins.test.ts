import { describe, expect, it } from 'vitest';
import { createGraphSim } from '../../src/sim/graph/graph-sim.js';
import { floorUs, parseInstant } from '../../src/sim/audit/graph-time.js';
import { generateTenant } from '../../src/sim/tenant/generate-tenant.js';
import type { Tenant } from '../../src/sim/tenant/tenant.js';
import { ORIGIN, fakeVerify, get } from './helpers.js';

const T0 = Date.UTC(2025, 2, 10, 12, 0, 0);
const AUDIT = 'Bearer good-AuditLog.Read.All';
const SIGN_INS = `${ORIGIN}/v1.0/auditLogs/signIns`;

function world(signIns: number, seed = 5) {
  const clock = { t: T0 };
  const tenant = generateTenant({ seed, users: 60, groups: 3, memberships: 20, audit: { now: T0, signIns } });
  const graph = createGraphSim({ tenant, verifyBearer: fakeVerify, options: { now: () => clock.t } });
  return { clock, tenant, graph };
}

const us = (iso: string): number => floorUs(parseInstant(iso)!);
const filterUrl = (f: string, top?: number): string => `${SIGN_INS}?$filter=${encodeURIComponent(f)}${top ? `&$top=${top}` : ''}`;

/** Follows nextLinks; returns the events in the order received and the pages. */
async function pull(graph: ReturnType<typeof world>['graph'], url: string) {
  const events: any[] = [];
  const pages: any[] = [];
  let next: string | undefined = url;
  while (next) {
    const r = await get(graph, next, AUDIT);
    if (r.status !== 200) throw new Error(`${r.status} ${r.body}`);
    pages.push(r.json);
    events.push(...r.json.value);
    expect(r.json['@odata.deltaLink']).toBeUndefined();
    next = r.json['@odata.nextLink'];
  }
  return { events, pages };
}

function expectNewestFirst(events: any[]): void {
  for (let i = 1; i < events.length; i++) {
    const a = us(events[i - 1].createdDateTime);
    const b = us(events[i].createdDateTime);
    expect(a > b || (a === b && events[i - 1].id < events[i].id)).toBe(true);
  }
}

function truthIn(tenant: Tenant, now: number, loUs: number, hiUs: number): string[] {
  return tenant.audit.visibleSignIns(now).filter((s) => us(s.createdDateTime) >= loUs && us(s.createdDateTime) <= hiUs).map((s) => s.id).sort();
}

describe('GET /auditLogs/signIns', () => {
  it('lists exactly the visible events of a window, newest first, across pages', async () => {
    const { tenant, graph } = world(2500);
    const lo = '2025-03-05T00:00:00Z';
    const hi = '2025-03-08T00:00:00Z';
    const { events, pages } = await pull(graph, filterUrl(`createdDateTime ge ${lo} and createdDateTime le ${hi}`, 97));
    expect(pages.length).toBeGreaterThan(2);
    for (const p of pages.slice(0, -1)) expect(p.value).toHaveLength(97);
    expect(pages[0]['@odata.context']).toBe(`${ORIGIN}/v1.0/$metadata#auditLogs/signIns`);
    expectNewestFirst(events);
    expect(events.map((e) => e.id).sort()).toEqual(truthIn(tenant, T0, us(lo), us(hi)));
    const e = events[0];
    expect(e).toMatchObject({ isInteractive: true, status: { errorCode: expect.any(Number) }, location: { geoCoordinates: expect.any(Object) } });
    expect(e.createdDateTime).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{7})?Z$/);
    expect(e.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(events.some((x) => x.status.errorCode === 50126)).toBe(true);
    expect(tenant.users.get(e.userId)).toBeDefined();
  });

  it('without a filter lists everything visible within retention; the content type is OData JSON', async () => {
    const { tenant, graph, clock } = world(2500);
    const first = await get(graph, SIGN_INS, AUDIT);
    expect(first.headers!['content-type']).toMatch(/^application\/json;odata\.metadata=minimal/);
    expect(first.json.value).toHaveLength(1000);
    const pending = tenant.audit.addSignIn({ createdAt: T0 - 1000, visibleAfterMs: 90_000 });
    const { events } = await pull(graph, SIGN_INS);
    const truth = tenant.audit.visibleSignIns(T0);
    expect(truth.map((x) => x.id)).not.toContain(pending);
    expect(events.map((x) => x.id).sort()).toEqual(truth.map((x) => x.id).sort());
    // Five days later the oldest five days have left the 30-day retention.
    clock.t = T0 + 5 * 86_400_000;
    const later = await pull(graph, SIGN_INS);
    const truthLater = tenant.audit.visibleSignIns(clock.t);
    expect(truthLater.length).toBeLessThan(truth.length - 200);
    expect(later.events.map((x) => x.id).sort()).toEqual(truthLater.map((x) => x.id).sort());
  });

  it('late events appear only from their visibleAt on, and never inside a chain started before', async () => {
    const { tenant, graph, clock } = world(0);
    tenant.audit.addSignIns(5, { createdAt: T0 - 30 * 60_000, stepMs: 60_000 });
    const late = tenant.audit.addSignIn({ createdAt: T0 - 20 * 60_000 - 500, visibleAfterMs: 25 * 60_000 });
    const url = filterUrl(`createdDateTime ge 2025-03-10T11:00:00Z`, 2);
    expect((await pull(graph, url)).events.map((x) => x.id)).not.toContain(late);
    // A chain started before the event arrives keeps its result set.
    clock.t = T0 + 4 * 60_000;
    const p1 = await get(graph, url, AUDIT);
    clock.t = T0 + 6 * 60_000;
    expect(tenant.audit.visibleSignIns(clock.t).map((s) => s.id)).toContain(late);
    const rest = await pull(graph, p1.json['@odata.nextLink']);
    expect([...p1.json.value, ...rest.events].map((x) => x.id)).not.toContain(late);
    expect(p1.json.value.length + rest.events.length).toBe(5);
    const fresh = await pull(graph, url);
    expect(fresh.events.map((x) => x.id)).toContain(late);
    expectNewestFirst(fresh.events);
  });

  it('ge/le are inclusive, gt/lt exclusive, to the tick; either bound alone works; ties are ordered by id', async () => {
    const { tenant, graph } = world(0);
    const at = Date.UTC(2025, 2, 9, 8, 0, 0);
    const a = tenant.audit.addSignIn({ createdAt: '2025-03-09T08:00:00Z' });
    const b = tenant.audit.addSignIn({ createdAt: '2025-03-09T08:00:00.0000010Z' });
    const c = tenant.audit.addSignIn({ createdAt: at + 1000 });
    const ties = tenant.audit.addSignIns(3, { createdAt: at - 5000, stepMs: 0 });
    const ids = async (f: string): Promise<string[]> => (await pull(graph, filterUrl(f))).events.map((x) => x.id);
    expect(await ids('createdDateTime ge 2025-03-09T08:00:00Z and createdDateTime le 2025-03-09T08:00:01Z')).toEqual([c, b, a]);
    expect(await ids('createdDateTime gt 2025-03-09T08:00:00Z and createdDateTime lt 2025-03-09T08:00:01Z')).toEqual([b]);
    expect(await ids('createdDateTime ge 2025-03-09T08:00:00.0000001Z and createdDateTime le 2025-03-09T08:00:00.000001Z')).toEqual([b]);
    expect(await ids('createdDateTime eq 2025-03-09T08:00:00Z')).toEqual([a]);
    expect(await ids('createdDateTime ge 2025-03-09T08:00:00.5Z')).toEqual([c]);
    expect(await ids('createdDateTime lt 2025-03-09T08:00:00Z')).toEqual([...ties].sort());
    expect(await ids('createdDateTime ge 2025-03-09T09:00:00+01:00 and createdDateTime le 2025-03-09T08:00:00Z')).toEqual([a]);
    expect(await ids('createdDateTime ge 2025-03-09T08:00:01Z and createdDateTime le 2025-03-09T08:00:00Z')).toEqual([]);
    const ends = await get(graph, filterUrl('createdDateTime gt 2025-03-09T09:00:00Z'), AUDIT);
    expect(ends.json).toMatchObject({ value: [] });
    expect(ends.json['@odata.nextLink']).toBeUndefined();
  });

  it('clamps $top to 1,000 and rejects a $top that is not a positive integer', async () => {
    const { graph } = world(2500);
    const r = await get(graph, `${SIGN_INS}?$top=5000`, AUDIT);
    expect(r.status).toBe(200);
    expect(r.json.value).toHaveLength(1000);
    expect(r.json['@odata.nextLink']).toBeDefined();
    expect((await get(graph, `${SIGN_INS}?$top=3`, AUDIT)).json.value).toHaveLength(3);
    for (const bad of ['0', '-1', 'ten']) expect((await get(graph, `${SIGN_INS}?$top=${bad}`, AUDIT)).status).toBe(400);
  });

  it('hands out opaque tokens that hold the query, replay the same page, and expire', async () => {
    const { tenant, graph, clock } = world(2500);
    const f = 'createdDateTime ge 2025-03-01T00:00:00Z';
    const p1 = await get(graph, filterUrl(f, 50), AUDIT);
    const next: string = p1.json['@odata.nextLink'];
    expect(next).toMatch(/^https:\/\/graph\.sim\.test\/v1\.0\/auditLogs\/signIns\?\$skiptoken=[0-9a-f]{48}$/);
    const again = await get(graph, filterUrl(f, 50), AUDIT);
    expect(again.json['@odata.nextLink']).not.toBe(next);
    const a = await get(graph, next, AUDIT);
    const b = await get(graph, next, AUDIT);
    expect(a.json.value.map((x: any) => x.id)).toEqual(b.json.value.map((x: any) => x.id));
    expect(a.json.value).toHaveLength(50);
    expect((await get(graph, `${next}&$top=10`, AUDIT)).status).toBe(400);
    const forged = await get(graph, `${SIGN_INS}?$skiptoken=${'0'.repeat(48)}`, AUDIT);
    expect(forged.status).toBe(400);
    expect(forged.json.error).toMatchObject({ code: 'UnknownError', message: 'Invalid Skip Token' });
    clock.t += 10 * 60_000 + 1;
    expect((await get(graph, next, AUDIT)).status).toBe(400);
    clock.t = T0;
    const fresh = (await get(graph, filterUrl(f, 50), AUDIT)).json['@odata.nextLink'];
    tenant.audit.expireSkipTokens();
    expect((await get(graph, fresh, AUDIT)).status).toBe(400);
    tenant.audit.paging.maxSkipTokens = 2;
    const t1 = (await get(graph, filterUrl(f, 50), AUDIT)).json['@odata.nextLink'];
    await get(graph, filterUrl(f, 50), AUDIT);
    await get(graph, filterUrl(f, 50), AUDIT);
    expect((await get(graph, t1, AUDIT)).status).toBe(400);
  });

  it('answers 403 with the documented body on a tenant without premium, and 403 without permission', async () => {
    const { tenant, graph } = world(100);
    tenant.audit.setPremium(false);
    const r = await get(graph, SIGN_INS, AUDIT);
    expect(r.status).toBe(403);
    expect(r.json.error).toMatchObject({
      code: 'Authentication_RequestFromNonPremiumTenantOrB2CTenant',
      message: "Neither tenant is B2C or tenant doesn't have premium license",
      innerError: { 'request-id': expect.any(String), date: expect.any(String) },
    });
    tenant.audit.setPremium(true);
    const denied = await get(graph, SIGN_INS, 'Bearer good-User.Read.All,GroupMember.Read.All');
    expect(denied.status).toBe(403);
    expect(denied.json.error.code).toBe('Authorization_RequestDenied');
    expect((await get(graph, SIGN_INS, 'Bearer good-Directory.Read.All')).status).toBe(200);
    expect((await get(graph, SIGN_INS, null)).status).toBe(401);
  });

  it('rejects filters and options it does not model', async () => {
    const { graph } = world(100);
    const unsupported = await get(graph, filterUrl("startsWith(appDisplayName,'Graph')"), AUDIT);
    expect(unsupported.status).toBe(400);
    expect(unsupported.json.error.code).toBe('Request_UnsupportedQuery');
    expect((await get(graph, filterUrl('createdDateTime ge 2025-13-01T00:00:00Z'), AUDIT)).json.error.code).toBe('Request_BadRequest');
    expect((await get(graph, filterUrl("createdDateTime ge '2025-03-01T00:00:00Z'"), AUDIT)).status).toBe(400);
    // An unencoded '+' arrives as a space, as on the real service.
    expect((await get(graph, `${SIGN_INS}?$filter=createdDateTime ge 2025-03-01T00:00:00+01:00`, AUDIT)).status).toBe(400);
    expect((await get(graph, `${SIGN_INS}?$orderby=createdDateTime`, AUDIT)).status).toBe(400);
  });

  it('renders risk as hidden without P2', async () => {
    const clock = { t: T0 };
    const tenant = generateTenant({ seed: 6, users: 30, groups: 1, memberships: 5, audit: { now: T0, signIns: 200, riskData: false } });
    const graph = createGraphSim({ tenant, verifyBearer: fakeVerify, options: { now: () => clock.t } });
    const r = await get(graph, SIGN_INS, AUDIT);
    expect(new Set(r.json.value.map((x: any) => x.riskLevelDuringSignIn))).toEqual(new Set(['hidden']));
  });
});
