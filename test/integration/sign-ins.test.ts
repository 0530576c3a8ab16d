import { afterEach, describe, expect, it } from 'vitest';
import { createSimWorld, GRAPH, type SimWorld } from '../support/sim-world.js';
import { dbFile, pull, readDb } from '../support/integration-helpers.js';
import type { PullOptions } from '../../src/pull/run-pull.js';
import type { SignIn } from '../../src/sim/audit/render-sign-in.js';

/**
 * The signIns collection end to end: runPull against the simulated Graph (src/sim/audit), into
 * sign_ins / sign_in_summary / sync_state (schemas/003). Every check compares whole rows, columns
 * and `data`, with the events the simulation lists.
 *
 * Time: a run's window ends at its start by the real clock (runPull's Date.now()), and the simulated
 * Graph judges visibility by its own clock, here the real clock plus `clock.skewMs` (0 unless a test
 * moves the simulation ahead to make late events visible). The generated log ends 10 minutes before
 * the test starts and every generated event is visible within 5 minutes (slowArrivalRate 0), so no
 * generated event changes visibility while a test runs; events added by hand are placed well away
 * from every window bound.
 */

const ROLES = ['User.Read.All', 'AuditLog.Read.All'];
const ONLY = ['signIns'];
const SEC = 1000;
const MIN = 60 * SEC;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const TEAMS = '1fec8e78-bce4-4aaf-ab1b-5451cc387264';
const AZURE_PORTAL = 'c44b4083-3bb0-49c1-b47d-974e53cbdf3c';
const BAD_PASSWORD = 50126;
const WHOLE_SECOND_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const SIGN_INS_PATH = '/v1.0/auditLogs/signIns';

let world: SimWorld | undefined;
afterEach(() => {
  world?.close();
  world = undefined;
});

interface Setup {
  w: SimWorld;
  t0: number;
  clock: { skewMs: number };
  path: string;
}

function setup(o: { premium?: boolean } = {}): Setup {
  const t0 = Date.now();
  const clock = { skewMs: 0 };
  world = createSimWorld({
    roles: ROLES,
    tenant: {
      users: 30, groups: 4, memberships: 40,
      audit: { signIns: 200, days: 30, now: t0 - 10 * MIN, slowArrivalRate: 0, premium: o.premium ?? true },
    },
    graph: { now: () => Date.now() + clock.skewMs },
  });
  return { w: world, t0, clock, path: dbFile() };
}

/** 2,300 events, one every 67 s from 30 minutes before t0 back about 43 hours: with the rest, three pages of 1,000. */
function addBigLog(s: Setup): void {
  s.w.tenant.audit.addSignIns(2300, { createdAt: s.t0 - 30 * MIN, stepMs: 67 * SEC });
}

interface SignInsPull {
  runId: number;
  outcome: string;
  startedMs: number;
  endedMs: number;
  throttled: number;
  s: NonNullable<Awaited<ReturnType<typeof pull>>['collections'][string]>;
  /** The requests to /auditLogs/signIns this run made (retries and refused ones included), in order. */
  reqs: { path: string; status: number }[];
}

async function pullSignIns(s: Setup, extra: Partial<PullOptions> = {}): Promise<SignInsPull> {
  const mark = s.w.graph.requests.length;
  const r = await pull(s.w, s.path, { only: ONLY, ...extra });
  const reqs = s.w.graph.requests.slice(mark).filter((q) => q.path.startsWith(SIGN_INS_PATH)).map((q) => ({ path: q.path, status: q.status }));
  return { runId: r.runId, outcome: r.outcome, startedMs: r.startedMs, endedMs: r.endedMs, throttled: r.throttled, s: r.collections.signIns!, reqs };
}

interface Window {
  from: string;
  to: string;
}

/** The createdDateTime window of a first request (its $filter). */
function windowOf(path: string): Window {
  const url = new URL(path, GRAPH);
  const filter = url.searchParams.get('$filter');
  const m = /^createdDateTime ge (\S+) and createdDateTime le (\S+)$/.exec(filter ?? '');
  if (!m) throw new Error(`not a windowed sign-ins request: ${path}`);
  expect(url.searchParams.get('$top')).toBe('1000');
  return { from: m[1]!, to: m[2]! };
}

/** A window end is the run's start by the real clock, to the second (sub-second part dropped). */
function expectRunStart(to: string, run: { startedMs: number; endedMs: number }): void {
  expect(to).toMatch(WHOLE_SECOND_UTC);
  expect(Date.parse(to)).toBeGreaterThanOrEqual(Math.floor(run.startedMs / SEC) * SEC);
  expect(Date.parse(to)).toBeLessThanOrEqual(run.endedMs);
}

/** createdDateTime → µs since the epoch (Graph writes 0 or 7 fractional digits). */
function sevenDigits(iso: string): string {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?Z$/.exec(iso);
  if (!m) throw new Error(`not a createdDateTime: ${iso}`);
  return `${m[1]}.${(m[2] ?? '').padEnd(7, '0')}Z`;
}

function us(iso: string): number {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?Z$/.exec(iso);
  if (!m) throw new Error(`not a createdDateTime: ${iso}`);
  return Date.parse(`${m[1]}Z`) * 1000 + Number((m[2] ?? '').padEnd(6, '0').slice(0, 6));
}

/** The events the simulation lists now, created within the window (bounds inclusive), as Graph renders them, by id. */
function listed(w: SimWorld, window: Window): Map<string, SignIn> {
  const a = w.tenant.audit;
  const now = a.now();
  const ids = new Set(a.visibleSignIns(now, window).map((e) => e.id));
  const out = new Map<string, SignIn>();
  a.forEachVisibleSignIn(now, (e) => {
    if (ids.has(e.id)) out.set(e.id, e);
  });
  expect(out.size).toBe(ids.size);
  return out;
}

/** Every listed event (any time), by id: for the bodies of events listed earlier. */
function allListed(w: SimWorld): Map<string, SignIn> {
  const out = new Map<string, SignIn>();
  w.tenant.audit.forEachVisibleSignIn(w.tenant.audit.now(), (e) => out.set(e.id, e));
  return out;
}

/** The sign_ins row an event must become, mapped here on its own from the signIn resource (graph-facts 5.1). */
function rowOf(e: SignIn, runId: number): Record<string, unknown> {
  return {
    id: e.id,
    // Stored with seven fractional digits whatever form Graph used, so text order is time order.
    created_at: sevenDigits(e.createdDateTime),
    user_id: e.userId,
    user_principal_name: e.userPrincipalName,
    user_display_name: e.userDisplayName,
    app_id: e.appId,
    app_display_name: e.appDisplayName,
    resource_id: e.resourceId,
    resource_display_name: e.resourceDisplayName,
    ip_address: e.ipAddress,
    client_app_used: e.clientAppUsed,
    is_interactive: e.isInteractive ? 1 : 0,
    status_error_code: e.status.errorCode,
    failure_reason: e.status.failureReason,
    conditional_access_status: e.conditionalAccessStatus,
    risk_level_during_sign_in: e.riskLevelDuringSignIn,
    country: e.location.countryOrRegion,
    city: e.location.city,
    data: e,
    run_id: runId,
  };
}

function storedRows(path: string): Record<string, unknown>[] {
  const rows = readDb(path, (db) => db.prepare('SELECT * FROM sign_ins ORDER BY id').all()) as Record<string, unknown>[];
  return rows.map((r) => ({ ...r, data: JSON.parse(r.data as string) as unknown }));
}

function storedRunIds(path: string): Map<string, number> {
  const rows = readDb(path, (db) => db.prepare('SELECT id, run_id FROM sign_ins').all()) as { id: string; run_id: number }[];
  return new Map(rows.map((r) => [r.id, r.run_id]));
}

/**
 * sign_ins holds exactly these events, each whole (every column, and `data` equal to the event as
 * Graph sent it), stored by the given run.
 */
function expectExactly(path: string, events: Map<string, SignIn>, runOf: (id: string) => number): void {
  const got = storedRows(path);
  const gotIds = got.map((r) => r.id as string);
  const wantIds = [...events.keys()].sort();
  expect(got.length).toBe(events.size);
  expect(gotIds.filter((id) => !events.has(id)).slice(0, 5), 'stored but not expected').toEqual([]);
  expect(wantIds.filter((id) => !gotIds.includes(id)).slice(0, 5), 'expected but not stored').toEqual([]);
  const want = [...events.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).map((e) => rowOf(e, runOf(e.id)));
  const differing = got.map((r, i) => [r, want[i]] as const).filter(([g, x]) => JSON.stringify(g) !== JSON.stringify(x));
  // Deep equality of the first few that differ (readable), then of everything.
  expect(differing.slice(0, 2).map(([g]) => g)).toEqual(differing.slice(0, 2).map(([, x]) => x));
  expect(got).toEqual(want);
}

function syncState(path: string): { watermark: string | null; round_next_link: string | null; round_mode: string | null } | undefined {
  return readDb(path, (db) => db.prepare("SELECT watermark, round_next_link, round_mode FROM sync_state WHERE collection = 'signIns'").get()) as never;
}

function runCollection(path: string, runId: number): { outcome: string; pages: number; upserts: number; requests: number; throttled: number } {
  return readDb(path, (db) => db.prepare("SELECT * FROM run_collections WHERE run_id = ? AND collection = 'signIns'").get(runId)) as never;
}

interface SummaryRow {
  user_id: string;
  app_id: string;
  user_principal_name: string | null;
  app_display_name: string | null;
  sign_ins: number;
  successful: number;
  last_sign_in: string;
  last_successful_sign_in: string | null;
}

/** sign_in_summary computed from the events: counts per (user, app), the latest attempt and success by time. */
function summaryOf(events: Iterable<SignIn>): SummaryRow[] {
  const by = new Map<string, SignIn[]>();
  for (const e of events) {
    const k = `${e.userId}|${e.appId}`;
    by.set(k, [...(by.get(k) ?? []), e]);
  }
  const latest = (es: SignIn[]): SignIn | undefined => es.reduce<SignIn | undefined>((m, e) => (!m || us(e.createdDateTime) > us(m.createdDateTime) ? e : m), undefined);
  const maxStr = (vs: (string | null)[]): string | null => vs.reduce<string | null>((m, v) => (v !== null && (m === null || v > m) ? v : m), null);
  return [...by.values()].map((es) => ({
    user_id: es[0]!.userId,
    app_id: es[0]!.appId,
    user_principal_name: maxStr(es.map((e) => e.userPrincipalName)),
    app_display_name: maxStr(es.map((e) => e.appDisplayName)),
    sign_ins: es.length,
    successful: es.filter((e) => e.status.errorCode === 0).length,
    last_sign_in: sevenDigits(latest(es)!.createdDateTime),
    last_successful_sign_in: ((e) => (e ? sevenDigits(e.createdDateTime) : null))(latest(es.filter((x) => x.status.errorCode === 0))),
  })).sort(byUserApp);
}

function byUserApp(a: { user_id: string; app_id: string }, b: { user_id: string; app_id: string }): number {
  const x = `${a.user_id}|${a.app_id}`;
  const y = `${b.user_id}|${b.app_id}`;
  return x < y ? -1 : x > y ? 1 : 0;
}

function storedSummary(path: string): SummaryRow[] {
  return (readDb(path, (db) => db.prepare('SELECT * FROM sign_in_summary').all()) as SummaryRow[]).sort(byUserApp);
}

/** Nth sign-ins request of the world (1-based, every attempt counted) gets `fn` before it is answered. */
function onSignInsRequest(w: SimWorld, nth: number, fn: () => void): void {
  let n = 0;
  w.intercept((req) => {
    if (req.url.pathname.startsWith(SIGN_INS_PATH) && ++n === nth) fn();
  });
}

describe('signIns: the first window', () => {
  it('stores exactly the events of the last 7 days (default), whole, across several pages; the watermark is the run start to the second', async () => {
    const s = setup();
    addBigLog(s);
    // One with non-ASCII text and an IPv6 address, to see them kept as sent.
    const zurich = s.w.tenant.audit.addSignIn({
      createdAt: s.t0 - 3 * HOUR, appId: AZURE_PORTAL, errorCode: BAD_PASSWORD,
      props: { ipAddress: '2001:db8::1', location: { city: 'Zürich', state: 'Zürich', countryOrRegion: 'CH', geoCoordinates: { altitude: null, latitude: 47.37, longitude: 8.54 } } },
    });

    const r = await pullSignIns(s);
    expect(r.outcome).toBe('success');
    expect(r.s).toMatchObject({ outcome: 'success', mode: 'full', fullReason: 'first window', resumed: false });

    const window = windowOf(r.reqs[0]!.path);
    expectRunStart(window.to, r);
    expect(Date.parse(window.from)).toBe(Date.parse(window.to) - 7 * DAY);
    // The first request, then the nextLinks Graph gave, verbatim.
    expect(r.reqs.map((q) => q.status)).toEqual([200, 200, 200]);
    for (const q of r.reqs.slice(1)) expect(q.path).toMatch(/^\/v1\.0\/auditLogs\/signIns\?\$skiptoken=[0-9a-f]+$/);

    const want = listed(s.w, window);
    expect(want.size).toBeGreaterThan(2000);
    expect(want.has(zurich)).toBe(true);
    // Older events exist in the log and are not in the window.
    expect(s.w.tenant.audit.visibleSignIns().length).toBeGreaterThan(want.size);
    expectExactly(s.path, want, () => r.runId);
    expect(r.s.upserts).toBe(want.size);
    expect(r.s.pages).toBe(3);
    expect(runCollection(s.path, r.runId)).toMatchObject({ outcome: 'success', pages: 3, upserts: want.size, requests: 3 });

    const z = storedRows(s.path).find((x) => x.id === zurich)!;
    expect(z).toMatchObject({ city: 'Zürich', country: 'CH', ip_address: '2001:db8::1', status_error_code: BAD_PASSWORD, app_id: AZURE_PORTAL, is_interactive: 1 });
    expect(z.failure_reason).toMatch(/invalid username or password/);

    expect(syncState(s.path)).toEqual({ watermark: window.to, round_next_link: null, round_mode: null });
  });

  it('--sign-ins-days 2 reaches back two days and stores nothing older', async () => {
    const s = setup();
    addBigLog(s);
    const r = await pullSignIns(s, { signInsDays: 2 });
    expect(r.s.outcome).toBe('success');
    const window = windowOf(r.reqs[0]!.path);
    expectRunStart(window.to, r);
    expect(Date.parse(window.from)).toBe(Date.parse(window.to) - 2 * DAY);
    const want = listed(s.w, window);
    expect(want.size).toBeGreaterThan(2000);
    // The log holds events of the five days before: none of them is stored.
    const older = listed(s.w, { from: new Date(Date.parse(window.to) - 7 * DAY).toISOString(), to: new Date(Date.parse(window.from) - 1).toISOString() });
    expect(older.size).toBeGreaterThan(10);
    expectExactly(s.path, want, () => r.runId);
    const stored = storedRunIds(s.path);
    expect([...older.keys()].filter((id) => stored.has(id))).toEqual([]);
    const oldest = Math.min(...storedRows(s.path).map((x) => us(x.created_at as string)));
    expect(oldest).toBeGreaterThanOrEqual(Date.parse(window.from) * 1000);
    expect(syncState(s.path)?.watermark).toBe(window.to);
  });
});

describe('signIns: later windows', () => {
  it('late arrivals: one 20 minutes late is caught by the default 60-minute overlap; one 3 hours late only with a 4-hour overlap', async () => {
    const s = setup();
    const a = s.w.tenant.audit;
    // Both created before the first run, both visible only after it (the simulation's clock moves on below).
    const lateA = a.addSignIn({ createdAt: s.t0 - 20 * MIN, visibleAt: s.t0 + 10 * MIN });
    const lateB = a.addSignIn({ createdAt: s.t0 - 3 * HOUR, visibleAt: s.t0 + 10 * MIN });

    const r1 = await pullSignIns(s);
    expect(r1.s.outcome).toBe('success');
    const w1 = windowOf(r1.reqs[0]!.path);
    const want1 = listed(s.w, w1);
    expect(want1.has(lateA) || want1.has(lateB)).toBe(false);
    expectExactly(s.path, want1, () => r1.runId);
    expect(syncState(s.path)?.watermark).toBe(w1.to);

    // 15 minutes later (simulated): the two events have arrived.
    s.clock.skewMs = 15 * MIN;
    const r2 = await pullSignIns(s);
    expect(r2.s).toMatchObject({ outcome: 'success', mode: 'delta' });
    const w2 = windowOf(r2.reqs[0]!.path);
    expectRunStart(w2.to, r2);
    expect(Date.parse(w2.from)).toBe(Date.parse(w1.to) - 60 * MIN);
    const body = allListed(s.w);
    const want2 = new Map([...want1, ...listed(s.w, w2)]);
    expect(want2.has(lateA)).toBe(true);
    // lateB was created 3 hours before the watermark: outside the overlap, so this window misses it.
    expect(want2.has(lateB)).toBe(false);
    expectExactly(s.path, want2, (id) => (id === lateA ? r2.runId : r1.runId));
    expect(r2.s.upserts).toBe(1);
    expect(syncState(s.path)?.watermark).toBe(w2.to);

    // The overlap is the trade-off: each window re-reads `overlap` of events already stored (more
    // requests on a big tenant) to catch events that arrive up to `overlap` late; anything later is
    // never read. With a 4-hour overlap the 3-hour-late event is caught.
    const r3 = await pullSignIns(s, { signInsOverlapMs: 4 * HOUR });
    expect(r3.s.outcome).toBe('success');
    const w3 = windowOf(r3.reqs[0]!.path);
    expect(Date.parse(w3.from)).toBe(Date.parse(w2.to) - 4 * HOUR);
    const want3 = new Map([...want2, ...listed(s.w, w3)]);
    expect(want3.has(lateB)).toBe(true);
    expect(want3.size).toBe(want2.size + 1);
    expectExactly(s.path, want3, (id) => (id === lateB ? r3.runId : id === lateA ? r2.runId : r1.runId));
    expect(r3.s.upserts).toBe(1);
    expect(body.get(lateB)).toEqual(storedRows(s.path).find((x) => x.id === lateB)!.data);
    expect(syncState(s.path)?.watermark).toBe(w3.to);
  });

  it('events inside the overlap are read again but stored once; sign_in_summary counts per (user, app) with the last sign-in', async () => {
    const s = setup();
    const a = s.w.tenant.audit;
    const user = [...s.w.tenant.users.values()].find((u) => u.state === 'live' && u.props.accountEnabled !== false)!.id;
    a.addSignIns(40, { createdAt: s.t0 - 5 * MIN, stepMs: 45 * SEC });
    const mine = [
      a.addSignIn({ userId: user, appId: TEAMS, errorCode: 0, createdAt: s.t0 - 3 * HOUR }),
      a.addSignIn({ userId: user, appId: TEAMS, errorCode: 0, createdAt: s.t0 - 40 * MIN + 123 }),
      a.addSignIn({ userId: user, appId: TEAMS, errorCode: BAD_PASSWORD, createdAt: s.t0 - 25 * MIN }),
    ];

    const r1 = await pullSignIns(s);
    const w1 = windowOf(r1.reqs[0]!.path);
    const want1 = listed(s.w, w1);
    for (const id of mine) expect(want1.has(id)).toBe(true);
    expectExactly(s.path, want1, () => r1.runId);

    // Three more arrive (created before the watermark, inside the overlap), one a failure of `user` in Teams.
    const fresh = [
      ...a.addSignIns(2, { createdAt: s.t0 - 2 * MIN, stepMs: 7 * SEC }),
      a.addSignIn({ userId: user, appId: TEAMS, errorCode: BAD_PASSWORD, createdAt: s.t0 - 90 * SEC + 456 }),
    ];
    const r2 = await pullSignIns(s);
    expect(r2.s.outcome).toBe('success');
    const w2 = windowOf(r2.reqs[0]!.path);
    expect(Date.parse(w2.from)).toBe(Date.parse(w1.to) - HOUR);
    const read2 = listed(s.w, w2);
    const readAgain = [...read2.keys()].filter((id) => want1.has(id));
    // Read twice: the 40 of the last hour and `user`'s two recent ones at least, all already stored.
    expect(readAgain.length).toBeGreaterThanOrEqual(42);
    expect(read2.size).toBe(readAgain.length + fresh.length);
    const want2 = new Map([...want1, ...read2]);
    expect(want2.size).toBe(want1.size + fresh.length);
    // Stored once: the first run's rows unchanged (their run_id too), only the new ones added.
    expectExactly(s.path, want2, (id) => (fresh.includes(id) ? r2.runId : r1.runId));
    expect(r2.s.upserts).toBe(fresh.length);
    expect(r2.s.pages).toBe(1);
    expect(runCollection(s.path, r2.runId)).toMatchObject({ outcome: 'success', upserts: fresh.length, pages: 1, requests: 1 });
    const count = readDb(s.path, (db) => db.prepare('SELECT COUNT(*) AS n, COUNT(DISTINCT id) AS d FROM sign_ins').get()) as { n: number; d: number };
    expect(count).toEqual({ n: want2.size, d: want2.size });

    const summary = storedSummary(s.path);
    expect(summary).toEqual(summaryOf(want2.values()));
    const body = allListed(s.w);
    const teams = summary.find((x) => x.user_id === user && x.app_id === TEAMS)!;
    const ownTeams = [...want2.values()].filter((e) => e.userId === user && e.appId === TEAMS);
    expect(teams).toMatchObject({
      sign_ins: ownTeams.length,
      successful: ownTeams.filter((e) => e.status.errorCode === 0).length,
      last_sign_in: sevenDigits(body.get(fresh[2]!)!.createdDateTime),
      last_successful_sign_in: sevenDigits(body.get(mine[1]!)!.createdDateTime),
    });
    expect(teams.sign_ins).toBeGreaterThanOrEqual(4);
  });

  it('sign_in_summary: the last sign-in of two in the same second is the later one (whole-second and fractional createdDateTime)', async () => {
    const s = setup();
    const a = s.w.tenant.audit;
    const user = [...s.w.tenant.users.values()].find((u) => u.state === 'live' && u.props.accountEnabled !== false)!.id;
    const second = Math.floor((s.t0 - 5 * MIN) / SEC) * SEC;
    const early = a.addSignIn({ userId: user, appId: TEAMS, errorCode: 0, createdAt: second });
    const late = a.addSignIn({ userId: user, appId: TEAMS, errorCode: 0, createdAt: second + 250 });
    const body = allListed(s.w);
    // Graph writes a whole second without a fraction: "…:05Z" is earlier than "…:05.2500000Z".
    expect(body.get(early)!.createdDateTime).toMatch(WHOLE_SECOND_UTC);
    expect(body.get(late)!.createdDateTime).toMatch(/\.2500000Z$/);

    const r = await pullSignIns(s);
    expect(r.s.outcome).toBe('success');
    const row = storedSummary(s.path).find((x) => x.user_id === user && x.app_id === TEAMS)!;
    expect({ last_sign_in: row.last_sign_in, last_successful_sign_in: row.last_successful_sign_in }).toEqual({
      last_sign_in: sevenDigits(body.get(late)!.createdDateTime),
      last_successful_sign_in: sevenDigits(body.get(late)!.createdDateTime),
    });
  });
});

describe('signIns: failures inside a window', () => {
  it('a crash after two pages keeps the watermark and saves the window; the next run resumes at the saved page and ends exact', async () => {
    const s = setup();
    const r0 = await pullSignIns(s);
    expect(r0.s.outcome).toBe('success');
    const w0 = windowOf(r0.reqs[0]!.path);
    const want0 = listed(s.w, w0);
    // 2,300 late arrivals, created 5 to 43 minutes before the watermark: the next window (inside the overlap) has three pages.
    s.w.tenant.audit.addSignIns(2300, { createdAt: s.t0 - 5 * MIN, stepMs: SEC });
    // The third sign-ins request (page 3) and every retry of it: 500, until the retries are spent.
    onSignInsRequest(s.w, 3, () => s.w.graph.faults.add({ path: /\/auditLogs\/signIns/, status: 500, times: 20 }));

    const r1 = await pullSignIns(s);
    expect(r1.s.outcome).toBe('failed');
    expect(r1.outcome).toBe('failed');
    expect(r1.s.error).toMatch(/500/);
    expect(r1.reqs.slice(0, 3).map((q) => q.status)).toEqual([200, 200, 500]);
    expect(r1.reqs.slice(2).every((q) => q.status === 500 && q.path === r1.reqs[2]!.path)).toBe(true);
    const w1 = windowOf(r1.reqs[0]!.path);
    expect(Date.parse(w1.from)).toBe(Date.parse(w0.to) - HOUR);
    const read1 = listed(s.w, w1);
    expect(read1.size).toBeGreaterThan(2000);
    const want = new Map([...want0, ...read1]);

    // The watermark stays where the last complete window left it; the unfinished window is saved.
    const st = syncState(s.path)!;
    expect(st.watermark).toBe(w0.to);
    const saved = JSON.parse(st.round_next_link!) as { from: string; to: string; link: string };
    expect(saved).toEqual({ from: w1.from, to: w1.to, link: expect.any(String) });
    const savedUrl = new URL(saved.link);
    // The link saved is the page that failed (the nextLink of page 2).
    expect(savedUrl.pathname + savedUrl.search).toBe(r1.reqs[2]!.path);
    // The two committed pages, whole: the 2,000 newest of the window (Graph's order: newest first, ties by id).
    const pages12 = [...read1.values()].sort((a, b) => us(b.createdDateTime) - us(a.createdDateTime) || (a.id < b.id ? -1 : 1)).slice(0, 2000).map((e) => e.id);
    const onPages12 = new Set(pages12);
    const after1 = storedRunIds(s.path);
    const byRun1 = [...after1].filter(([, run]) => run === r1.runId).map(([id]) => id);
    expect(r1.s.upserts).toBe(byRun1.length);
    expect(r1.s.pages).toBe(2);
    expectExactly(s.path, new Map([...want].filter(([id]) => want0.has(id) || onPages12.has(id))), (id) => after1.get(id)!);
    expect(byRun1.every((id) => !want0.has(id))).toBe(true);

    s.w.graph.faults.clear();
    s.w.intercept(() => {});
    const r2 = await pullSignIns(s);
    expect(r2.s).toMatchObject({ outcome: 'success', resumed: true, mode: 'delta' });
    // The resumed run starts with the saved link, and reads only what was left.
    expect(r2.reqs[0]!.path).toBe(savedUrl.pathname + savedUrl.search);
    expect(r2.reqs.map((q) => q.status)).toEqual([200]);
    // Exactly the events of both windows, none twice, each stored by the run that first read it.
    expectExactly(s.path, want, (id) => after1.get(id) ?? r2.runId);
    expect(r2.s.upserts).toBe(want.size - after1.size);
    const count = readDb(s.path, (db) => db.prepare('SELECT COUNT(*) AS n FROM sign_ins').get()) as { n: number };
    expect(count.n).toBe(want.size);
    // The window of the failed run is complete now: the watermark moves to its end.
    expect(syncState(s.path)).toEqual({ watermark: w1.to, round_next_link: null, round_mode: null });

    // And the next window starts from there, less the overlap.
    const r3 = await pullSignIns(s);
    expect(r3.s.outcome).toBe('success');
    const w3 = windowOf(r3.reqs[0]!.path);
    expect(Date.parse(w3.from)).toBe(Date.parse(w1.to) - HOUR);
    expect(r3.s.upserts).toBe(0);
    expectExactly(s.path, want, (id) => after1.get(id) ?? r2.runId);
    expect(syncState(s.path)?.watermark).toBe(w3.to);
  });

  it('a page token that expires mid-window restarts the window, which still ends exact', async () => {
    const s = setup();
    addBigLog(s);
    // Before page 2 is answered, every nextLink handed out so far expires.
    onSignInsRequest(s.w, 2, () => s.w.graph.expireSkipTokens());

    const r = await pullSignIns(s);
    const w = windowOf(r.reqs[0]!.path);
    expect(r.reqs[1]!.status).toBe(400);
    expect(r.s.error).toBeUndefined();
    expect(r.s.outcome).toBe('success');
    // The window again from its first request, the same window (the run's start did not move).
    expect(r.reqs.map((q) => q.status)).toEqual([200, 400, 200, 200, 200]);
    expect(windowOf(r.reqs[2]!.path)).toEqual(w);
    const want = listed(s.w, w);
    expectExactly(s.path, want, () => r.runId);
    expect(r.s.upserts).toBe(want.size);
    expect(syncState(s.path)).toEqual({ watermark: w.to, round_next_link: null, round_mode: null });
  });
});

describe('signIns: licence and throttling', () => {
  it('a tenant without P1/P2 is skipped (run succeeds, nothing stored, no watermark); once licensed, the next run reads the first window', async () => {
    const s = setup({ premium: false });
    const r1 = await pullSignIns(s);
    expect(r1.outcome).toBe('success');
    expect(r1.s.outcome).toBe('skipped');
    expect(r1.s.error).toMatch(/P1 or P2/);
    expect(r1.reqs.map((q) => q.status)).toEqual([403]);
    expect(storedRows(s.path)).toEqual([]);
    expect(syncState(s.path)?.watermark ?? null).toBeNull();
    expect(runCollection(s.path, r1.runId).outcome).toBe('skipped');

    s.w.tenant.audit.setPremium(true);
    const r2 = await pullSignIns(s);
    expect(r2.s).toMatchObject({ outcome: 'success', mode: 'full', fullReason: 'first window', resumed: false });
    const w = windowOf(r2.reqs[0]!.path);
    expectRunStart(w.to, r2);
    expect(Date.parse(w.from)).toBe(Date.parse(w.to) - 7 * DAY);
    const want = listed(s.w, w);
    expect(want.size).toBeGreaterThan(10);
    expectExactly(s.path, want, () => r2.runId);
    expect(syncState(s.path)?.watermark).toBe(w.to);
  });

  it('the reports limit: throttled pages wait out Retry-After (none sent inside the window) and the pull ends exact', async () => {
    const s = setup();
    addBigLog(s);
    // One request per 0.3 s (the real limit is 5 per 10 s): each page after the first arrives too soon.
    s.w.graph.reportsThrottle.set({ perWindow: { requests: 1, seconds: 0.3 }, retryAfter: 'decimal' });
    const r = await pullSignIns(s);
    expect(r.s.outcome).toBe('success');
    expect(r.s.throttled).toBeGreaterThan(0);
    expect(r.throttled).toBe(r.s.throttled);
    expect(r.reqs.filter((q) => q.status === 429).length).toBe(r.s.throttled);
    expect(r.reqs.filter((q) => q.status === 200).length).toBe(3);
    expect(s.w.graph.reportsThrottle.violations()).toEqual([]);
    const w = windowOf(r.reqs[0]!.path);
    expectExactly(s.path, listed(s.w, w), () => r.runId);
    expect(runCollection(s.path, r.runId).throttled).toBe(r.s.throttled);
    expect(syncState(s.path)?.watermark).toBe(w.to);
  });
});
