import { afterEach, describe, expect, it } from 'vitest';
import { createSimWorld, TENANT_ID, type SimWorld } from '../support/sim-world.js';
import { dbFile, expectRemovedDuring, pull, readDb, syncStateRow } from '../support/integration-helpers.js';
import { dbWholeState, diffStates, expectedWholeState, type WholeState } from '../support/tenant-state.js';
import type { RequestLogEntry } from '../../src/sim/graph/graph-sim.js';
import type { Tenant } from '../../src/sim/tenant/index.js';
import type { TransportEvent } from '../../src/graph/index.js';
import type { LinkKeyColumns } from '../../src/store/index.js';

/**
 * The fan-out collections (appRoleAssignments, and the owners steps of servicePrincipals and
 * applications) read one sub-collection per stored parent through JSON $batch: items throttled
 * each with its own Retry-After, parents gone in between (404), nextLinks inside items, throttled
 * envelopes, an interrupted round resumed from its parent cursor, an item that keeps failing, and
 * links removed between runs. The database is compared with the tenant whole: objects with their
 * data, links with theirs (assignment id, createdDateTime).
 */
let world: SimWorld | undefined;
afterEach(() => {
  world?.close();
  world = undefined;
});

/** Enough to read service principals, applications, their owners and appRoleAssignedTo. */
const ROLES = ['Application.Read.All'];
const SP_ONLY = ['servicePrincipals', 'appRoleAssignments'];
const WITH_APPS = ['servicePrincipals', 'applications', 'appRoleAssignments'];

/**
 * 60 users and 62 service principals: four envelopes of parents, and sub-collection pages of 2 to 5
 * assignments and 1 or 2 owners, so that items follow nextLinks inside their envelopes.
 */
function fanOutWorld(): SimWorld {
  const w = createSimWorld({
    roles: ROLES,
    tenant: { users: 60, groups: 10, memberships: 200, directory: { extraServicePrincipals: 60 } },
    graph: { directory: { assignedToPageSize: [2, 5], ownersPageSize: [1, 2] } },
  });
  // The window the simulation announces when it throttles a request itself (one that arrived in a
  // window): 0.2 s, decimal, instead of the default whole second, to keep the tests short.
  w.graph.throttle.set({ retryAfter: 'decimal', seconds: 0.2 });
  return w;
}

type Scope = { entityTypes: string[]; relations: [relation: string, targetType: string][] };

const SP_SCOPE: Scope = {
  entityTypes: ['servicePrincipal', 'appRole'],
  relations: [['hasAppRole', 'appRole'], ['ownerOf', 'servicePrincipal'], ['appRoleOf', 'servicePrincipal']],
};
const APP_SCOPE: Scope = {
  entityTypes: [...SP_SCOPE.entityTypes, 'application'],
  relations: [...SP_SCOPE.relations, ['ownerOf', 'application']],
};

function restrict(s: WholeState, scope: Scope): WholeState {
  const entities: WholeState['entities'] = {};
  for (const [k, v] of Object.entries(s.entities)) if (scope.entityTypes.includes(k.split('|')[0]!)) entities[k] = v;
  const relations: WholeState['relations'] = {};
  for (const [k, v] of Object.entries(s.relations)) {
    const [relation, , , targetType] = k.split('|');
    if (scope.relations.some(([r, t]) => r === relation && t === targetType)) relations[k] = v;
  }
  return { entities, relations };
}

/** The database and the tenant, restricted to the objects and links of the collections pulled. */
function states(path: string, tenant: Tenant, scope: Scope): { got: WholeState; want: WholeState } {
  return {
    got: restrict(dbWholeState(path), scope),
    want: restrict(expectedWholeState(tenant, { tenantId: TENANT_ID }), scope),
  };
}

/** The database equals the tenant: objects whole, links with their data. */
function expectTenant(path: string, tenant: Tenant, scope: Scope = SP_SCOPE): void {
  const { got, want } = states(path, tenant, scope);
  for (const [relation, targetType] of scope.relations) {
    expect(Object.keys(want.relations).some((k) => k.startsWith(`${relation}|`) && k.split('|')[3] === targetType), `${relation} → ${targetType} in the tenant`).toBe(true);
  }
  expect(diffStates(got, want)).toEqual([]);
}

const ASSIGNED_TO = /^\/v1\.0\/servicePrincipals\/([0-9a-f-]{36})\/appRoleAssignedTo/i;
const SP_OWNERS = /^\/v1\.0\/servicePrincipals\/([0-9a-f-]{36})\/owners/i;
const isEnvelope = (q: RequestLogEntry) => q.method === 'POST' && /^\/v1\.0\/\$batch\/?$/.test(q.path);
const parentOf = (q: RequestLogEntry, re: RegExp) => re.exec(q.path)?.[1]?.toLowerCase();

interface Envelope {
  envelope: RequestLogEntry;
  subs: RequestLogEntry[];
}

/** The envelopes of a stretch of the log, each with the sub-requests served in it (the simulation logs them just before it). */
function envelopesOf(log: readonly RequestLogEntry[]): Envelope[] {
  const out: Envelope[] = [];
  let subs: RequestLogEntry[] = [];
  for (const q of log) {
    if (q.batched) subs.push(q);
    else if (isEnvelope(q)) {
      out.push({ envelope: q, subs });
      subs = [];
    }
  }
  expect(subs, 'sub-requests logged outside an envelope').toEqual([]);
  return out;
}

interface SpFacts {
  id: string;
  deletable: boolean;
  owners: string[];
  assignedTo: number;
}

function servicePrincipals(tenant: Tenant): SpFacts[] {
  const reg = tenant.directory.registry;
  return [...reg.sps.recs.values()].filter((r) => r.state === 'live').map((r) => ({
    id: r.id,
    deletable: reg.ownSps.has(r.id) && !reg.protectedSps.has(r.id),
    owners: [...r.links],
    assignedTo: tenant.directory.appRoleAssignments.forResource(r.id).size,
  }));
}

interface LinkRow extends LinkKeyColumns {
  data: string | null;
  deleted_at: string | null;
}

const keyOf = (r: Pick<LinkRow, 'relation' | 'source_id' | 'target_id'>) => `${r.relation}|${r.source_id}|${r.target_id}`;

/** Every row of entity_relations (live or not) of the fan-out relations, by relation|source|target. */
function linkRows(path: string): Map<string, LinkRow> {
  const rows = readDb(path, (db) => db.prepare("SELECT * FROM entity_relations WHERE relation IN ('hasAppRole', 'ownerOf', 'appRoleOf') AND target_type IN ('appRole', 'servicePrincipal', 'application')").all()) as LinkRow[];
  return new Map(rows.map((r) => [keyOf(r), r]));
}

function linkRow(path: string, relation: string, sourceId: string, targetId: string): LinkRow | undefined {
  return readDb(path, (db) => db.prepare('SELECT * FROM entity_relations WHERE relation = ? AND source_id = ? AND target_id = ?')
    .get(relation, sourceId, targetId)) as LinkRow | undefined;
}

/** How much later than the client's own clock read a throttle event may be recorded (ms). */
const SLACK_MS = 15;

/**
 * What the client knew and when: every request as it reaches Graph (an envelope with the URLs of its
 * sub-requests) and every throttle window the client was told of, on one sequence. A request that
 * reaches Graph after the client learned of a window, and before that window ends, was sent inside it.
 */
class Timeline {
  private seq = 0;
  readonly arrivals: { seq: number; at: number; method: string; path: string; urls: string[] }[] = [];
  readonly windows: { seq: number; at: number; until: number; url: string; status: number }[] = [];

  arrived(req: { method: string; url: URL; body: string }): void {
    const urls = req.method === 'POST' && req.url.pathname.endsWith('/$batch') ? batchUrls(req.body) : [];
    this.arrivals.push({ seq: ++this.seq, at: Date.now(), method: req.method, path: req.url.pathname, urls });
  }

  readonly onTransportEvent = (e: TransportEvent): void => {
    if (e.type !== 'throttled') return;
    const at = Date.now();
    this.windows.push({ seq: ++this.seq, at, until: at + e.waitMs, url: e.url, status: e.status });
  };

  /**
   * Requests sent into a window the client had been told of. The event comes a little after the
   * client closed its gate (for an envelope, after its body was read), so a window is taken to end
   * SLACK_MS early.
   */
  sentInsideWindows(): string[] {
    const out: string[] = [];
    for (const a of this.arrivals) {
      const w = this.windows.find((x) => x.seq < a.seq && a.at < x.until - SLACK_MS);
      if (w) out.push(`${a.method} ${a.path} at +${a.at - w.at} ms of a ${w.until - w.at} ms window (${w.status} ${w.url})`);
    }
    return out;
  }

  /** Each throttled item: when it was sent again, from the end of its own window (negative: too early), or 'never'. */
  itemRetries(): { url: string; waitMs: number; lateBy: number | 'never' }[] {
    return this.windows.filter((w) => !w.url.endsWith('/$batch')).map((w) => {
      const rel = w.url.replace(/^https?:\/\/[^/]+\/v1\.0/, '');
      const again = this.arrivals.find((a) => a.seq > w.seq && a.urls.includes(rel));
      return { url: rel, waitMs: w.until - w.at, lateBy: again ? again.at - w.until : 'never' };
    });
  }
}

/** Parses the sub-request URLs of a $batch body. */
function batchUrls(body: string): string[] {
  return (JSON.parse(body) as { requests: { url: string }[] }).requests.map((r) => r.url);
}

describe('fan-out through JSON $batch', () => {
  it('items throttled with their own Retry-After (decimal, integer, HTTP-date), a parent gone (404), nextLinks and a throttled envelope: the pull equals the tenant and sends nothing inside a window', async () => {
    world = fanOutWorld();
    const w = world;
    const t = w.tenant;
    const d = t.directory;
    const path = dbFile();
    const all = servicePrincipals(t);
    // One service principal with many assignments: its appRoleAssignedTo takes many pages.
    const big = all.filter((s) => s.deletable).sort((a, b) => b.assignedTo - a.assignedTo)[0]!;
    for (const u of [...t.users.keys()].slice(0, 20)) d.addAppRoleAssignment(u, big.id);
    expect(d.appRoleAssignments.forResource(big.id).size).toBeGreaterThanOrEqual(25);
    // The one to be deleted for good between the servicePrincipals round and the fan-outs: owned and assigned to.
    const doomed = all.find((s) => s.deletable && s.id !== big.id && s.owners.length > 0 && s.assignedTo > 0)!;
    expect(doomed).toBeDefined();

    const first = await pull(w, path, { only: SP_ONLY });
    expect(first.outcome).toBe('success');
    expectTenant(path, t);
    const doomedAssignments = [...d.appRoleAssignments.forResource(doomed.id)].filter((a) => d.isLive(a.principalId))
      .map((a) => ({ principal: a.principalId, role: `${doomed.id}/${a.appRoleId}` }));
    expect(doomedAssignments.length).toBeGreaterThan(0);
    for (const o of doomed.owners) expect(linkRow(path, 'ownerOf', o, doomed.id)?.deleted_at).toBeNull();
    for (const a of doomedAssignments) expect(linkRow(path, 'hasAppRole', a.principal, a.role)?.deleted_at).toBeNull();

    const mark = w.graph.requests.length;
    const faults = w.graph.faults;
    // Owners sub-requests: 0.3 s, decimal.
    faults.add({ path: /\/servicePrincipals\/[^/]+\/owners\?\$select/, status: 429, headers: { 'retry-after': '0.3' }, times: 3 });
    // appRoleAssignedTo sub-requests: 0.8 s decimal on first pages, 1 s integer on next pages.
    faults.add({ path: /\/appRoleAssignedTo\?\$top/, status: 429, headers: { 'Retry-After': '0.8' }, times: 2 });
    faults.add({ path: /\/appRoleAssignedTo\?\$skiptoken/, status: 429, headers: { 'retry-after': '1' }, times: 2 });
    const timeline = new Timeline();
    let assignedToEnvelopes = 0;
    let dated: string | undefined;
    w.intercept((req) => {
      timeline.arrived(req);
      if (req.method !== 'POST' || !req.url.pathname.endsWith('/$batch')) return;
      // The first envelope is the servicePrincipals owners step: the delta round is over, the fan-outs have not begun.
      if (d.registry.sps.isLive(doomed.id)) d.hardDeleteServicePrincipal(doomed.id);
      const urls = batchUrls(req.body);
      if (!urls.some((u) => u.includes('/appRoleAssignedTo'))) return;
      assignedToEnvelopes++;
      if (assignedToEnvelopes === 2) {
        // This whole envelope: 429, Retry-After 1 (integer).
        faults.add({ path: /^\/v1\.0\/\$batch/, status: 429, headers: { 'retry-after': '1' }, times: 1 });
      }
      const firstPage = urls.filter((u) => u.includes('/appRoleAssignedTo?$top')).pop();
      if (assignedToEnvelopes >= 3 && dated === undefined && firstPage !== undefined && Date.now() >= w.graph.throttle.openUntil) {
        // An envelope the simulation will serve: one of its items gets an HTTP-date half a second to 1.5 s ahead.
        dated = firstPage;
        const at = new Date(Math.ceil((Date.now() + 500) / 1000) * 1000).toUTCString();
        faults.add({ path: new RegExp(`^/v1\\.0${firstPage.replace(/[.*+?^${}()|[\]\\$]/g, '\\$&')}$`), status: 429, headers: { 'retry-after': at }, times: 1 });
      }
    });
    const second = await pull(w, path, { only: SP_ONLY, onTransportEvent: timeline.onTransportEvent });
    w.intercept(() => undefined);
    const log = w.graph.requests.slice(mark);
    expect(second.outcome).toBe('success');
    expect(dated).toBeDefined();
    expect(faults.pending()).toBe(0);

    // Every kind of throttling happened...
    const windows = timeline.windows;
    const itemWaits = (re: RegExp) => windows.filter((x) => re.test(x.url)).map((x) => x.until - x.at);
    expect(itemWaits(/\/servicePrincipals\/[^/]+\/owners\?\$select/)).toEqual(expect.arrayContaining([300, 300, 300]));
    expect(itemWaits(/\/appRoleAssignedTo\?\$top/)).toEqual(expect.arrayContaining([800, 800]));
    expect(itemWaits(/\/appRoleAssignedTo\?\$skiptoken/)).toEqual(expect.arrayContaining([1000, 1000]));
    expect(itemWaits(/\/\$batch$/)).toContain(1000);
    const datedWait = windows.filter((x) => x.url.endsWith(dated!)).map((x) => x.until - x.at);
    // (It may be throttled again by the simulation when it goes again behind another throttled item.)
    expect(datedWait.length).toBeGreaterThanOrEqual(1);
    expect(datedWait[0]).toBeGreaterThanOrEqual(400);
    expect(datedWait[0]).toBeLessThanOrEqual(1500);
    expect(second.collections.servicePrincipals!.throttled).toBeGreaterThanOrEqual(3);
    expect(second.collections.appRoleAssignments!.throttled).toBeGreaterThanOrEqual(6);
    // ...nothing was sent into a window the client had been told of, and each throttled item went
    // again, not before its own Retry-After.
    expect(timeline.sentInsideWindows()).toEqual([]);
    const retries = timeline.itemRetries();
    expect(retries.length).toBeGreaterThanOrEqual(8);
    expect(retries.filter((x) => x.lateBy === 'never' || x.lateBy < -SLACK_MS)).toEqual([]);

    // The parent gone in between answered 404 to both fan-outs, and lost its owners and assignments.
    const doomedSubs = log.filter((q) => q.batched && (parentOf(q, ASSIGNED_TO) === doomed.id || parentOf(q, SP_OWNERS) === doomed.id));
    expect(doomedSubs.map((q) => q.status)).toEqual([404, 404]);
    for (const o of doomed.owners) {
      const row = linkRow(path, 'ownerOf', o, doomed.id)!;
      expectRemovedDuring(row.deleted_at, second.startedMs, second.endedMs);
    }
    for (const a of doomedAssignments) {
      const row = linkRow(path, 'hasAppRole', a.principal, a.role)!;
      expectRemovedDuring(row.deleted_at, second.startedMs, second.endedMs);
    }

    // nextLinks were followed to the end: every assignment of the big one is stored, with its data.
    const bigPages = log.filter((q) => q.batched && q.status === 200 && parentOf(q, ASSIGNED_TO) === big.id);
    expect(bigPages.filter((q) => q.path.includes('$skiptoken')).length).toBeGreaterThanOrEqual(4);
    const { got, want } = states(path, t, SP_SCOPE);
    const ofBig = (s: WholeState) => Object.fromEntries(Object.entries(s.relations).filter(([k]) => k.startsWith('hasAppRole|') && k.includes(`|appRole|${big.id}/`)));
    expect(Object.keys(ofBig(want)).length).toBe(d.appRoleAssignments.forResource(big.id).size);
    expect(ofBig(got)).toEqual(ofBig(want));

    // The assignments and owners equal the tenant's; the objects and their app roles too, but for the
    // deleted one, which the next delta round reports.
    const fanOutLinks: Scope = { entityTypes: [], relations: [['hasAppRole', 'appRole'], ['ownerOf', 'servicePrincipal']] };
    expect(diffStates(restrict(got, fanOutLinks), restrict(want, fanOutLinks))).toEqual([]);
    const extra = [...Object.keys(got.entities), ...Object.keys(got.relations)].filter((k) => !(k in want.entities) && !(k in want.relations));
    expect(extra.length).toBeGreaterThan(2);
    expect(extra.filter((k) => k !== `servicePrincipal|${doomed.id}` && !k.startsWith(`appRole|${doomed.id}/`) && !k.startsWith(`appRoleOf|appRole|${doomed.id}/`))).toEqual([]);
    expect([...Object.keys(want.entities), ...Object.keys(want.relations)].filter((k) => !(k in got.entities) && !(k in got.relations))).toEqual([]);
    const third = await pull(w, path, { only: SP_ONLY });
    expect(third.outcome).toBe('success');
    expectTenant(path, t);
  });

  it('the figures: requests counts the envelopes, throttled the throttled items and envelopes; at most 20 sub-requests an envelope', async () => {
    world = fanOutWorld();
    const w = world;
    const path = dbFile();
    const faults = w.graph.faults;
    faults.add({ path: /\/servicePrincipals\/[^/]+\/owners/, status: 429, headers: { 'retry-after': '0.2' }, times: 2 });
    faults.add({ path: /\/appRoleAssignedTo\?\$skiptoken/, status: 429, headers: { 'retry-after': '0.3' }, times: 3 });
    const start = w.graph.requests.length;
    let mark = -1;
    const r = await pull(w, path, {
      only: SP_ONLY,
      onProgress: (p) => {
        if (p.collection !== 'appRoleAssignments' || p.event !== 'start') return;
        // servicePrincipals is over (appRoleAssignments waits for it): what follows is appRoleAssignments'.
        mark = w.graph.requests.length;
        faults.add({ path: /^\/v1\.0\/\$batch/, status: 429, headers: { 'retry-after': '0.25' }, times: 1 });
      },
    });
    expect(r.outcome).toBe('success');
    expect(faults.pending()).toBe(0);
    expect(mark).toBeGreaterThan(start);
    expectTenant(path, w.tenant);

    const spLog = w.graph.requests.slice(start, mark);
    const arLog = w.graph.requests.slice(mark);
    const sp = r.collections.servicePrincipals!;
    const ar = r.collections.appRoleAssignments!;

    // appRoleAssignments: nothing but envelopes of appRoleAssignedTo sub-requests.
    const envs = envelopesOf(arLog);
    expect(arLog.filter((q) => !q.batched).every(isEnvelope)).toBe(true);
    expect(ar.requests).toBe(envs.length);
    // The envelope fault, and envelopes the simulation throttled itself.
    expect(envs.filter((e) => e.envelope.status === 429).length).toBeGreaterThanOrEqual(1);
    const subs = arLog.filter((q) => q.batched);
    expect(subs.every((q) => q.method === 'GET' && ASSIGNED_TO.test(q.path))).toBe(true);
    expect(envs.reduce((n, e) => n + e.subs.length, 0)).toBe(subs.length);
    for (const e of envs) expect(e.subs.length).toBeLessThanOrEqual(20);
    expect(Math.max(...envs.map((e) => e.subs.length))).toBe(20);
    // A throttled envelope carries no answered sub-request; an answered one carries at least one.
    for (const e of envs) expect(e.subs.length === 0).toBe(e.envelope.status === 429);
    const arThrottled = arLog.filter((q) => q.status === 429).length;
    expect(arThrottled).toBeGreaterThanOrEqual(4);
    expect(ar.throttled).toBe(arThrottled);
    expect(ar.pages).toBe(subs.filter((q) => q.status === 200).length);
    // Every live service principal was asked once from its first page (a throttled first page asked again).
    const firstPages = new Map<string, number>();
    for (const q of subs) if (q.status === 200 && !q.path.includes('$skiptoken')) firstPages.set(parentOf(q, ASSIGNED_TO)!, (firstPages.get(parentOf(q, ASSIGNED_TO)!) ?? 0) + 1);
    expect([...firstPages.keys()].sort()).toEqual(servicePrincipals(w.tenant).map((s) => s.id).sort());
    expect([...firstPages.values()].every((n) => n === 1)).toBe(true);
    expect(subs.filter((q) => q.path.includes('$skiptoken')).length).toBeGreaterThan(10);

    // servicePrincipals: its delta requests and the owners envelopes.
    const spEnvs = envelopesOf(spLog);
    expect(spEnvs.length).toBeGreaterThanOrEqual(4);
    expect(spEnvs.flatMap((e) => e.subs).every((q) => SP_OWNERS.test(q.path))).toBe(true);
    for (const e of spEnvs) expect(e.subs.length).toBeLessThanOrEqual(20);
    expect(sp.requests).toBe(spLog.filter((q) => !q.batched).length);
    expect(sp.throttled).toBe(spLog.filter((q) => q.status === 429).length);
    expect(sp.throttled).toBeGreaterThanOrEqual(2);

    // The run and the ledger say the same.
    expect(r.requests).toBe(w.graph.requests.slice(start).filter((q) => !q.batched).length);
    expect(r.throttled).toBe(sp.throttled + ar.throttled);
    const ledger = readDb(path, (db) => db.prepare('SELECT collection, requests, throttled, pages FROM run_collections WHERE run_id = ? ORDER BY collection').all(r.runId));
    expect(ledger).toEqual([
      { collection: 'appRoleAssignments', requests: ar.requests, throttled: ar.throttled, pages: ar.pages },
      { collection: 'servicePrincipals', requests: sp.requests, throttled: sp.throttled, pages: sp.pages },
    ]);
  });

  it('an interrupted appRoleAssignments round resumes after its parent cursor and ends equal to the tenant', async () => {
    world = fanOutWorld();
    const w = world;
    const path = dbFile();
    const stop = new AbortController();
    let continuations = 0;
    w.intercept((req) => {
      if (req.method !== 'POST' || !req.url.pathname.endsWith('/$batch')) return;
      const urls = batchUrls(req.body);
      // Envelopes with next pages come only once earlier ones were answered and written.
      if (urls.some((u) => u.includes('/appRoleAssignedTo?$skiptoken')) && ++continuations === 3) stop.abort('test: crash');
    });
    const first = await pull(w, path, { only: SP_ONLY, signal: stop.signal });
    w.intercept(() => undefined);
    expect(stop.signal.aborted).toBe(true);
    expect(first.outcome).toBe('interrupted');
    expect(first.collections.servicePrincipals!.outcome).toBe('success');
    expect(first.collections.appRoleAssignments!.outcome).toBe('interrupted');

    const ids = servicePrincipals(w.tenant).map((s) => s.id).sort();
    const row = syncStateRow(path, 'appRoleAssignments')!;
    expect(row.round_mode).toBe('full');
    const cursor = row.round_next_link!;
    expect(cursor).toMatch(/^[0-9a-f-]{36}$/);
    expect(ids).toContain(cursor);
    expect(cursor < ids[ids.length - 1]!).toBe(true);
    // Every parent up to the cursor was read in full in the interrupted run.
    const stored = readDb(path, (db) => db.prepare("SELECT source_id, target_id, data FROM entity_relations WHERE relation = 'hasAppRole' AND deleted_at IS NULL").all()) as { source_id: string; target_id: string; data: string }[];
    const want = restrict(expectedWholeState(w.tenant, { tenantId: TENANT_ID }), { entityTypes: [], relations: [['hasAppRole', 'appRole']] }).relations;
    const upTo = (k: string) => k.split('|')[4]!.split('/')[0]! <= cursor;
    const wantUpTo = Object.entries(want).filter(([k]) => upTo(k));
    expect(wantUpTo.length).toBeGreaterThan(0);
    const gotByKey = new Map(stored.map((s) => [`${s.source_id}|${s.target_id}`, JSON.parse(s.data) as unknown]));
    for (const [k, data] of wantUpTo) expect(gotByKey.get(`${k.split('|')[2]}|${k.split('|')[4]}`), k).toEqual(data);

    const mark = w.graph.requests.length;
    const second = await pull(w, path, { only: SP_ONLY });
    expect(second.outcome).toBe('success');
    expect(second.collections.appRoleAssignments!.resumed).toBe(true);
    const asked = w.graph.requests.slice(mark).filter((q) => q.batched && ASSIGNED_TO.test(q.path)).map((q) => parentOf(q, ASSIGNED_TO)!);
    expect(asked.length).toBeGreaterThan(0);
    // The first sub-requests, and every other, are for parents after the cursor; each of those is asked.
    expect(asked.slice(0, 20).every((id) => id > cursor)).toBe(true);
    expect(asked.filter((id) => id <= cursor)).toEqual([]);
    expect([...new Set(asked)].sort()).toEqual(ids.filter((id) => id > cursor));
    expect(syncStateRow(path, 'appRoleAssignments')!.round_mode).toBeNull();
    expectTenant(path, w.tenant);
  });

  it('a parent gone in between (404) loses its assignments at once, in a round that is then interrupted and tombstones nothing else', async () => {
    world = fanOutWorld();
    const w = world;
    const t = w.tenant;
    const d = t.directory;
    const path = dbFile();
    expect((await pull(w, path, { only: SP_ONLY })).outcome).toBe('success');
    expectTenant(path, t);
    // The first parent in id order that can go and has assignments: in the first envelope.
    const sorted = servicePrincipals(t).sort((a, b) => (a.id < b.id ? -1 : 1));
    const doomed = sorted.find((s) => s.deletable && [...d.appRoleAssignments.forResource(s.id)].some((a) => d.isLive(a.principalId)))!;
    expect(sorted.indexOf(doomed)).toBeLessThan(10);
    const doomedLinks = [...d.appRoleAssignments.forResource(doomed.id)].filter((a) => d.isLive(a.principalId))
      .map((a) => ({ principal: a.principalId, role: `${doomed.id}/${a.appRoleId}` }));
    for (const a of doomedLinks) expect(linkRow(path, 'hasAppRole', a.principal, a.role)?.deleted_at).toBeNull();
    // An assignment removed meanwhile on the last parent: only a round that ends may say so.
    const last = sorted.filter((s) => s.id !== doomed.id && s.assignedTo > 0).pop()!;
    const gone = [...d.appRoleAssignments.forResource(last.id)].find((a) => d.isLive(a.principalId))!;
    expect(d.removeAppRoleAssignment(gone.id)).toBe(true);

    const stop = new AbortController();
    let continuations = 0;
    w.intercept((req) => {
      if (req.method !== 'POST' || !req.url.pathname.endsWith('/$batch')) return;
      const urls = batchUrls(req.body);
      if (urls.some((u) => u.includes('/appRoleAssignedTo')) && d.registry.sps.isLive(doomed.id)) d.hardDeleteServicePrincipal(doomed.id);
      if (urls.some((u) => u.includes('/appRoleAssignedTo?$skiptoken')) && ++continuations === 3) stop.abort('test: crash');
    });
    const mark = w.graph.requests.length;
    const first = await pull(w, path, { only: SP_ONLY, signal: stop.signal });
    w.intercept(() => undefined);
    expect(first.outcome).toBe('interrupted');
    expect(first.collections.appRoleAssignments!.outcome).toBe('interrupted');
    expect(w.graph.requests.slice(mark).filter((q) => q.batched && parentOf(q, ASSIGNED_TO) === doomed.id).map((q) => q.status)).toEqual([404]);
    for (const a of doomedLinks) expectRemovedDuring(linkRow(path, 'hasAppRole', a.principal, a.role)!.deleted_at, first.startedMs, first.endedMs);
    expect(linkRow(path, 'hasAppRole', gone.principalId, `${last.id}/${gone.appRoleId}`)!.deleted_at).toBeNull();
    const removedInRun = readDb(path, (db) => db.prepare("SELECT target_id FROM changes WHERE run_id = ? AND kind = 'removed'").all(first.runId)) as { target_id: string }[];
    expect(removedInRun.map((r) => r.target_id.split('/')[0]).every((id) => id === doomed.id)).toBe(true);
    expect(removedInRun.length).toBe(doomedLinks.length);

    const second = await pull(w, path, { only: SP_ONLY });
    expect(second.outcome).toBe('success');
    expectRemovedDuring(linkRow(path, 'hasAppRole', gone.principalId, `${last.id}/${gone.appRoleId}`)!.deleted_at, second.startedMs, second.endedMs);
    for (const a of doomedLinks) expectRemovedDuring(linkRow(path, 'hasAppRole', a.principal, a.role)!.deleted_at, first.startedMs, first.endedMs);
    expectTenant(path, t);
  });

  it('an item that keeps failing (403) fails the collection, tombstones nothing and names the permission; the next run catches up', async () => {
    world = fanOutWorld();
    const w = world;
    const t = w.tenant;
    const d = t.directory;
    const path = dbFile();
    expect((await pull(w, path, { only: SP_ONLY })).outcome).toBe('success');
    expectTenant(path, t);
    const before = linkRows(path);

    // An assignment removed in the tenant meanwhile, on another service principal than the failing one.
    const all = servicePrincipals(t).filter((s) => s.assignedTo > 1).sort((a, b) => (a.id < b.id ? -1 : 1));
    const failing = all[all.length - 1]!;
    const other = all[0]!;
    const gone = [...d.appRoleAssignments.forResource(other.id)].find((a) => d.isLive(a.principalId))!;
    expect(d.removeAppRoleAssignment(gone.id)).toBe(true);
    const goneKey = `hasAppRole|${gone.principalId}|${other.id}/${gone.appRoleId}`;
    expect(before.get(goneKey)?.deleted_at).toBeNull();

    w.graph.faults.add({ path: new RegExp(`/servicePrincipals/${failing.id}/appRoleAssignedTo`), status: 403, times: 100 });
    const second = await pull(w, path, { only: SP_ONLY });
    expect(second.outcome).toBe('partial');
    expect(second.collections.servicePrincipals!.outcome).toBe('success');
    expect(second.collections.appRoleAssignments!.outcome).toBe('failed');
    expect(second.collections.appRoleAssignments!.linksDeleted).toBe(0);
    // A 403 is not retried.
    expect(w.graph.faults.pending()).toBe(99);
    const err = second.errors.find((e) => e.collection === 'appRoleAssignments')!.error as { message: string; suggestion?: string; status?: number };
    expect(err.status).toBe(403);
    expect(err.message).toMatch(/appRoleAssignments/);
    expect(err.suggestion).toMatch(/Application\.Read\.All/);

    // Nothing tombstoned: the removed assignment is still live, and every row is as it was.
    const after = linkRows(path);
    expect(after.get(goneKey)?.deleted_at).toBeNull();
    expect([...after.values()].filter((r) => r.deleted_at !== null)).toEqual([]);
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    for (const [k, r] of after) expect({ data: r.data, deleted_at: r.deleted_at }, k).toEqual({ data: before.get(k)!.data, deleted_at: before.get(k)!.deleted_at });
    expect(readDb(path, (db) => db.prepare("SELECT COUNT(*) AS n FROM changes WHERE run_id = ? AND kind = 'removed'").get(second.runId))).toEqual({ n: 0 });

    w.graph.faults.clear();
    const third = await pull(w, path, { only: SP_ONLY });
    expect(third.outcome).toBe('success');
    expectRemovedDuring(linkRow(path, 'hasAppRole', gone.principalId, `${other.id}/${gone.appRoleId}`)!.deleted_at, third.startedMs, third.endedMs);
    expectTenant(path, t);
  });

  it('removals between runs (an assignment, owners of a service principal and an application, an app role) mark exactly those links deleted', async () => {
    world = fanOutWorld();
    const w = world;
    const t = w.tenant;
    const d = t.directory;
    const path = dbFile();
    expect((await pull(w, path, { only: WITH_APPS })).outcome).toBe('success');
    expectTenant(path, t, APP_SCOPE);
    const before = linkRows(path);
    expect([...before.values()].every((r) => r.deleted_at === null)).toBe(true);

    const reg = d.registry;
    const expected = new Set<string>();
    // An app role (not the default one) with assignments: the role goes, and its assignments with it.
    const spWithRole = [...reg.sps.recs.values()].find((sp) => sp.state === 'live' && sp.id !== reg.graphSpId
      && (sp.props.appRoles as { id: string }[]).some((role) => [...d.appRoleAssignments.forResource(sp.id)].some((a) => a.appRoleId === role.id && d.isLive(a.principalId))))!;
    expect(spWithRole).toBeDefined();
    const roleId = (spWithRole.props.appRoles as { id: string }[]).find((role) => [...d.appRoleAssignments.forResource(spWithRole.id)].some((a) => a.appRoleId === role.id))!.id;
    const roleKey = `${spWithRole.id}/${roleId}`;
    for (const a of d.appRoleAssignments.forResource(spWithRole.id)) {
      if (a.appRoleId === roleId && d.isLive(a.principalId)) expected.add(`hasAppRole|${a.principalId}|${roleKey}`);
    }
    expected.add(`appRoleOf|${roleKey}|${spWithRole.id}`);
    expect(d.removeAppRole(spWithRole.id, roleId)).toBeGreaterThan(0);
    // An assignment on another service principal.
    const assignment = [...d.appRoleAssignments.all()].find((a) => a.resourceId !== spWithRole.id && d.isLive(a.principalId) && reg.sps.isLive(a.resourceId))!;
    expected.add(`hasAppRole|${assignment.principalId}|${assignment.resourceId}/${assignment.appRoleId}`);
    expect(d.removeAppRoleAssignment(assignment.id)).toBe(true);
    // An owner of a service principal, and one of an application.
    const ownedSp = [...reg.sps.recs.values()].find((sp) => sp.state === 'live' && sp.links.size > 0)!;
    const spOwner = [...ownedSp.links][0]!;
    expected.add(`ownerOf|${spOwner}|${ownedSp.id}`);
    expect(d.removeOwner(ownedSp.id, spOwner)).toBe(true);
    const ownedApp = [...reg.apps.recs.values()].find((app) => app.state === 'live' && app.links.size > 0)!;
    const appOwner = [...ownedApp.links][0]!;
    expected.add(`ownerOf|${appOwner}|${ownedApp.id}`);
    expect(d.removeOwner(ownedApp.id, appOwner)).toBe(true);
    for (const k of expected) expect(before.get(k)?.deleted_at, k).toBeNull();
    expect(expected.size).toBeGreaterThanOrEqual(5);

    const second = await pull(w, path, { only: WITH_APPS });
    expect(second.outcome).toBe('success');
    expectTenant(path, t, APP_SCOPE);
    const after = linkRows(path);
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    const deleted = [...after.values()].filter((r) => r.deleted_at !== null).map(keyOf).sort();
    expect(deleted).toEqual([...expected].sort());
    for (const k of expected) expectRemovedDuring(after.get(k)!.deleted_at, second.startedMs, second.endedMs);
    // Everything else unchanged, data included.
    for (const [k, r] of after) {
      if (expected.has(k)) continue;
      expect({ data: r.data, deleted_at: r.deleted_at }, k).toEqual({ data: before.get(k)!.data, deleted_at: null });
    }
    const linksDeleted = Object.values(second.collections).reduce((n, c) => n + c.linksDeleted, 0);
    expect(linksDeleted).toBe(expected.size);
    // The removed role is gone for good.
    const role = readDb(path, (db) => db.prepare("SELECT deleted_at, deleted_kind FROM entities WHERE entity_type = 'appRole' AND id = ?").get(roleKey)) as { deleted_at: string | null; deleted_kind: string };
    expect(role.deleted_kind).toBe('permanent');
    expectRemovedDuring(role.deleted_at, second.startedMs, second.endedMs);
  });
});

/**
 * The simulation's own rule (src/sim/graph/throttle.ts, graph-sim.ts route()): any request that
 * reaches it inside an announced window is a violation. For $batch that also counts requests the
 * client could not have held back; these two tests pin that down (they fail while it does).
 */
describe('the simulation judges $batch throttling as Graph does', () => {
  /** A pull whose first appRoleAssignedTo envelope has one item throttled (0.3 s): `pick` chooses which. */
  async function throttleOneItem(pick: (urls: string[]) => string, concurrency?: number) {
    world = fanOutWorld();
    const w = world;
    const timeline = new Timeline();
    let target: string | undefined;
    w.intercept((req) => {
      timeline.arrived(req);
      if (target !== undefined || req.method !== 'POST' || !req.url.pathname.endsWith('/$batch')) return;
      const urls = batchUrls(req.body);
      if (!urls.some((u) => u.includes('/appRoleAssignedTo'))) return;
      target = pick(urls);
      w.graph.faults.add({ path: new RegExp(`^/v1\\.0${target.replace(/[.*+?^${}()|[\]\\$]/g, '\\$&')}$`), status: 429, headers: { 'retry-after': '0.3' }, times: 1 });
    });
    const r = await pull(w, dbFile(), { only: SP_ONLY, onTransportEvent: timeline.onTransportEvent, ...(concurrency ? { concurrency } : {}) });
    expect(r.outcome).toBe('success');
    expect(w.graph.faults.pending()).toBe(0);
    // The client sent nothing into a window it knew of.
    expect(timeline.sentInsideWindows()).toEqual([]);
    return w.graph.throttle.violations().map((v) => v.path);
  }

  it('the items served after a throttled one in the same envelope arrived with it: no violation', async () => {
    // One envelope at a time, the first item of the first appRoleAssignedTo envelope throttled.
    expect(await throttleOneItem((urls) => urls[0]!, 1)).toEqual([]);
  });

  it('envelopes sent before the answer of the one that carried a throttled item arrived with it: no violation', async () => {
    // The last item served of its envelope throttled: the envelopes sent alongside are on their way already.
    expect(await throttleOneItem((urls) => urls[urls.length - 1]!)).toEqual([]);
  });
});
