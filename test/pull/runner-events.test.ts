import { describe, expect, it } from 'vitest';
import type { EventsStep, GraphObject } from '../../src/pull/connector.js';
import { GraphError } from '../../src/errors/index.js';
import { getSyncState } from '../../src/store/index.js';
import {
  DAY, HOUR, Harness, changeRows, connector, isoOf, ledger, ledgerRows, linkRows, entityRows, scriptPages, seedEntity, seedLink, settled, syncRow,
} from './support-runners.js';

const QUERY = 'events sign_ins /auditLogs/signIns?from={from}&to={to}';
const url = (from: string, to: string) => `/auditLogs/signIns?from=${from}&to=${to}`;

/** A signIns-like events step; records every window it was asked to build a request for. */
function signInsConnector() {
  const windows: [string, string][] = [];
  const step: EventsStep = {
    kind: 'events',
    name: 'signIns',
    table: 'sign_ins',
    entityTypes: [],
    relationScopes: [],
    url: (from, to) => {
      if (from !== '{from}') windows.push([from, to]);
      return url(from, to);
    },
    row: (e) => ({
      id: e.id as string,
      created_at: e.createdDateTime as string,
      user_id: (e.userId as string) ?? null,
      app_id: (e.appId as string) ?? null,
      status_error_code: (e.status as { errorCode: number }).errorCode,
      data: JSON.stringify(e),
    }),
    firstWindowMs: () => 7 * DAY,
    overlapMs: () => HOUR,
  };
  return { connector: connector('signIns', [step], 'watermark'), windows };
}

const ev = (id: string, at: string, userId = 'u1'): GraphObject => ({ id, createdDateTime: at, userId, appId: 'app1', status: { errorCode: 0 } });

const COLUMNS = [
  'id', 'created_at', 'user_id', 'user_principal_name', 'user_display_name', 'app_id', 'app_display_name', 'resource_id', 'resource_display_name',
  'ip_address', 'client_app_used', 'is_interactive', 'status_error_code', 'failure_reason', 'conditional_access_status', 'risk_level_during_sign_in',
  'country', 'city', 'data', 'run_id',
];
/** A sign_ins row as stored: the columns the step fills, every other one null. */
function stored(e: GraphObject, runId: number): Record<string, unknown> {
  const row: Record<string, unknown> = Object.fromEntries(COLUMNS.map((c) => [c, null]));
  return {
    ...row, id: e.id, created_at: e.createdDateTime, user_id: e.userId, app_id: e.appId, status_error_code: 0, data: JSON.stringify(e), run_id: runId,
  };
}
const signInRows = (h: Harness) => h.db.prepare('SELECT * FROM sign_ins ORDER BY id').all();

// Run starts (the windows' ends): sub-second parts are dropped from the window bounds.
const START1 = Date.parse('2025-03-10T12:00:00.789Z');
const START2 = Date.parse('2025-03-11T12:00:00.000Z');
const START3 = Date.parse('2025-03-12T12:00:00.000Z');
const W1 = { from: '2025-03-03T12:00:00Z', to: '2025-03-10T12:00:00Z' };
const W2 = { from: '2025-03-10T11:00:00Z', to: '2025-03-11T12:00:00Z' };
const W3 = { from: '2025-03-11T11:00:00Z', to: '2025-03-12T12:00:00Z' };

const s1 = ev('s1', '2025-03-04T08:00:00Z');
const s2 = ev('s2', '2025-03-09T08:00:00Z', 'u2');
const s3 = ev('s3', '2025-03-10T11:30:00Z');
const s4 = ev('s4', '2025-03-11T09:00:00Z');
const s5 = ev('s5', '2025-03-11T11:59:00Z');

/** Run 1 over the first window: two pages, s2 on both. Returns what it saw of the watermark between the pages. */
async function firstWindow(h: Harness, c: ReturnType<typeof signInsConnector>) {
  let watermarkBetweenPages: unknown = 'not read';
  const s = scriptPages({
    [url(W1.from, W1.to)]: { value: [s1, s2], nextLink: 'https://graph.test/si/w1p2' },
    'https://graph.test/si/w1p2': () => {
      watermarkBetweenPages = getSyncState(h.db, 'signIns')?.watermark;
      return { value: [s2, s3, { createdDateTime: '2025-03-05T00:00:00Z' }] }; // an event without id is left out
    },
  });
  const r = await h.run(c.connector, { readPages: s.reader, context: { runStartedAt: START1 } });
  return { r, asked: s.asked, watermarkBetweenPages };
}

describe('events runner', () => {
  it('the first window reaches firstWindowMs back from runStartedAt in ISO seconds; rows are stored once; the watermark moves with the last page', async () => {
    const h = new Harness();
    const c = signInsConnector();
    const { r, asked, watermarkBetweenPages } = await firstWindow(h, c);

    expect(r).toMatchObject({ outcome: 'success', mode: 'full', resumed: false, fullReason: 'first window', pages: 2, upserts: 3, deletions: 0 });
    expect(c.windows).toEqual([[W1.from, W1.to]]);
    expect(asked).toEqual([url(W1.from, W1.to), 'https://graph.test/si/w1p2']);
    expect(watermarkBetweenPages).toBeNull();
    expect(signInRows(h)).toEqual([stored(s1, 1), stored(s2, 1), stored(s3, 1)]);
    expect(syncRow(h.db, 'signIns')).toEqual(settled('signIns', QUERY, { lastFullRun: 1, updatedRun: 1, watermark: W1.to }));
    expect(ledgerRows(h.db, 1)).toEqual([ledger(1, 'signIns', { pages: 2, upserts: 3, requests: 2, full_reason: 'first window' })]);
    expect(changeRows(h.db)).toEqual([]);
  });

  it('the next run starts at the watermark less overlapMs, in delta mode; events seen by the last window are not stored again', async () => {
    const h = new Harness();
    const c = signInsConnector();
    await firstWindow(h, c);

    const s = scriptPages({ [url(W2.from, W2.to)]: { value: [s3, s4] } });
    const r = await h.run(c.connector, { readPages: s.reader, context: { runStartedAt: START2 } });

    expect(r).toMatchObject({ outcome: 'success', mode: 'delta', resumed: false, pages: 1, upserts: 1 });
    expect(r.fullReason).toBeUndefined();
    expect(c.windows).toEqual([[W1.from, W1.to], [W2.from, W2.to]]);
    expect(signInRows(h)).toEqual([stored(s1, 1), stored(s2, 1), stored(s3, 1), stored(s4, 2)]);
    expect(syncRow(h.db, 'signIns')).toEqual(settled('signIns', QUERY, { lastFullRun: 1, updatedRun: 2, watermark: W2.to }));
    expect(ledgerRows(h.db, 2)).toEqual([ledger(2, 'signIns', { mode: 'delta', pages: 1, upserts: 1, requests: 1 })]);
  });

  it('a failure mid-window keeps the watermark and saves {from,to,link}; the next run finishes that same window, the one after starts from its end', async () => {
    const h = new Harness();
    const c = signInsConnector();
    await firstWindow(h, c);

    const broken = scriptPages({
      [url(W2.from, W2.to)]: { value: [s4], nextLink: 'https://graph.test/si/w2p2' },
      'https://graph.test/si/w2p2': new Error('socket hang up'),
    });
    const r2 = await h.run(c.connector, { readPages: broken.reader, context: { runStartedAt: START2 } });
    expect(r2).toMatchObject({ outcome: 'failed', mode: 'delta', pages: 1, upserts: 1 });
    expect(syncRow(h.db, 'signIns')).toEqual({
      ...settled('signIns', QUERY, { lastFullRun: 1, updatedRun: 2, watermark: W1.to }),
      round_mode: 'delta', round_next_link: JSON.stringify({ from: W2.from, to: W2.to, link: 'https://graph.test/si/w2p2' }),
      round_start_run: 2, round_started_at: isoOf(2),
    });
    expect(signInRows(h)).toEqual([stored(s1, 1), stored(s2, 1), stored(s3, 1), stored(s4, 2)]);
    expect(ledgerRows(h.db, 2)).toEqual([ledger(2, 'signIns', { mode: 'delta', outcome: 'failed', error: 'socket hang up', pages: 1, upserts: 1, requests: 2 })]);

    // Run 3 starts a day later, yet goes on with run 2's window from its saved page.
    const resume = scriptPages({ 'https://graph.test/si/w2p2': { value: [s4, s5] } });
    const r3 = await h.run(c.connector, { readPages: resume.reader, context: { runStartedAt: START3 } });
    expect(r3).toMatchObject({ outcome: 'success', mode: 'delta', resumed: true, pages: 1, upserts: 1 });
    expect(resume.asked).toEqual(['https://graph.test/si/w2p2']);
    expect(c.windows).toEqual([[W1.from, W1.to], [W2.from, W2.to]]);
    expect(signInRows(h)).toEqual([stored(s1, 1), stored(s2, 1), stored(s3, 1), stored(s4, 2), stored(s5, 3)]);
    expect(syncRow(h.db, 'signIns')).toEqual(settled('signIns', QUERY, { lastFullRun: 1, updatedRun: 3, watermark: W2.to }));
    expect(ledgerRows(h.db, 3)).toEqual([ledger(3, 'signIns', { mode: 'delta', pages: 1, upserts: 1, requests: 1 })]);

    const next = scriptPages({ [url(W3.from, W3.to)]: { value: [s5] } });
    const r4 = await h.run(c.connector, { readPages: next.reader, context: { runStartedAt: START3 } });
    expect(r4).toMatchObject({ outcome: 'success', mode: 'delta', upserts: 0 });
    expect(next.asked).toEqual([url(W3.from, W3.to)]);
    expect(syncRow(h.db, 'signIns')?.watermark).toBe(W3.to);
  });

  it('a first window cut short is resumed as the first window (mode full); the watermark appears only when it completes', async () => {
    const h = new Harness();
    const c = signInsConnector();
    const broken = scriptPages({
      [url(W1.from, W1.to)]: { value: [s1], nextLink: 'https://graph.test/si/w1p2' },
      'https://graph.test/si/w1p2': new Error('socket hang up'),
    });
    const r1 = await h.run(c.connector, { readPages: broken.reader, context: { runStartedAt: START1 } });
    expect(r1).toMatchObject({ outcome: 'failed', mode: 'full' });
    expect(syncRow(h.db, 'signIns')).toEqual({
      ...settled('signIns', QUERY, { lastFullRun: null, updatedRun: 1, watermark: null }),
      round_mode: 'full', round_next_link: JSON.stringify({ from: W1.from, to: W1.to, link: 'https://graph.test/si/w1p2' }),
      round_start_run: 1, round_started_at: isoOf(1),
    });

    const resume = scriptPages({ 'https://graph.test/si/w1p2': { value: [s1, s2] } });
    const r2 = await h.run(c.connector, { readPages: resume.reader, context: { runStartedAt: START2 } });
    expect(r2).toMatchObject({ outcome: 'success', mode: 'full', resumed: true, upserts: 1 });
    expect(signInRows(h)).toEqual([stored(s1, 1), stored(s2, 2)]);
    expect(syncRow(h.db, 'signIns')).toEqual(settled('signIns', QUERY, { lastFullRun: 2, updatedRun: 2, watermark: W1.to }));
    expect(ledgerRows(h.db, 2)).toEqual([ledger(2, 'signIns', { pages: 1, upserts: 1, requests: 1, full_reason: 'resuming an unfinished full round' })]);
  });

  it('--full does not reset the watermark: the window still starts at the watermark less the overlap', async () => {
    const h = new Harness();
    const c = signInsConnector();
    await firstWindow(h, c);
    const s = scriptPages({ [url(W2.from, W2.to)]: { value: [s4] } });
    const r = await h.run(c.connector, { readPages: s.reader, context: { runStartedAt: START2 }, full: true });
    expect(r).toMatchObject({ outcome: 'success', mode: 'delta', upserts: 1 });
    expect(s.asked).toEqual([url(W2.from, W2.to)]);
    expect(syncRow(h.db, 'signIns')).toEqual(settled('signIns', QUERY, { lastFullRun: 1, updatedRun: 2, watermark: W2.to }));
  });

  it('never tombstones anything: entities, links and older events stay as they were, and no change is recorded', async () => {
    const h = new Harness();
    seedEntity(h.db, 'user', 'u1', { displayName: 'One' });
    seedLink(h.db, 'memberOf', ['user', 'u1'], ['group', 'g1']);
    const old = ev('s0', '2025-01-01T00:00:00Z');
    h.db.prepare('INSERT INTO sign_ins (id, created_at, user_id, app_id, status_error_code, data, run_id) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
      's0', old.createdDateTime, 'u1', 'app1', 0, JSON.stringify(old), 0,
    );
    const c = signInsConnector();
    await firstWindow(h, c);
    await h.run(c.connector, { readPages: scriptPages({ [url(W2.from, W2.to)]: { value: [] } }).reader, context: { runStartedAt: START2 } });

    expect(entityRows(h.db, 'user')).toEqual([
      { entity_type: 'user', id: 'u1', display_name: 'One', data: { displayName: 'One' }, first_seen_run: 0, last_seen_run: 0, deleted_at: null, deleted_kind: null },
    ]);
    expect(linkRows(h.db, 'memberOf').map((l) => l.deleted_at)).toEqual([null]);
    expect(signInRows(h)).toEqual([stored(old, 0), stored(s1, 1), stored(s2, 1), stored(s3, 1)]);
    expect(changeRows(h.db)).toEqual([]);
    expect(ledgerRows(h.db, 2)).toEqual([ledger(2, 'signIns', { mode: 'delta', pages: 1, requests: 1 })]);
  });

  it('a first request that fails leaves a state from which the next run reads its window', async () => {
    const h = new Harness();
    const c = signInsConnector();
    const down = scriptPages({ [url(W1.from, W1.to)]: new Error('getaddrinfo ENOTFOUND graph.microsoft.com') });
    const r1 = await h.run(c.connector, { readPages: down.reader, context: { runStartedAt: START1 } });
    expect(r1.outcome).toBe('failed');

    const first = { from: '2025-03-04T12:00:00Z', to: '2025-03-11T12:00:00Z' };
    const up = scriptPages({ [url(W1.from, W1.to)]: { value: [s1] }, [url(first.from, first.to)]: { value: [s1] } });
    const r2 = await h.run(c.connector, { readPages: up.reader, context: { runStartedAt: START2 } });
    expect(r2.error).toBeUndefined();
    expect(r2.outcome).toBe('success');
    expect(signInRows(h)).toEqual([stored(s1, 2)]);
    expect(syncRow(h.db, 'signIns')?.watermark).toBe(up.asked[0] === url(W1.from, W1.to) ? W1.to : first.to);
  });

  it('a later window whose first request fails keeps the watermark, and the next run reads a window from it', async () => {
    const h = new Harness();
    const c = signInsConnector();
    await firstWindow(h, c);
    const exhausted = new GraphError('GRAPH_RETRIES_EXHAUSTED', 'gave up after 8 retries', { status: 503 });
    const r2 = await h.run(c.connector, { readPages: scriptPages({ [url(W2.from, W2.to)]: exhausted }).reader, context: { runStartedAt: START2 } });
    expect(r2.outcome).toBe('failed');
    expect(syncRow(h.db, 'signIns')?.watermark).toBe(W1.to);

    const W3from1 = { from: W2.from, to: W3.to }; // a fresh window from the watermark, or run 2's window again
    const up = scriptPages({ [url(W2.from, W2.to)]: { value: [s4] }, [url(W3from1.from, W3from1.to)]: { value: [s4] } });
    const r3 = await h.run(c.connector, { readPages: up.reader, context: { runStartedAt: START3 } });
    expect(r3.error).toBeUndefined();
    expect(r3).toMatchObject({ outcome: 'success', mode: 'delta', upserts: 1 });
  });

  it('a tenant without Entra ID P1/P2 is skipped on every run, not only the first', async () => {
    const h = new Harness();
    const c = signInsConnector();
    const noLicense = () => new GraphError('GRAPH_REQUEST_FAILED', 'Neither tenant is B2C or tenant does not have premium license', {
      status: 403, graphCode: 'Authentication_RequestFromNonPremiumTenantOrB2CTenant',
    });
    const r1 = await h.run(c.connector, { readPages: scriptPages({ [url(W1.from, W1.to)]: noLicense() }).reader, context: { runStartedAt: START1 } });
    expect(r1.outcome).toBe('skipped');

    const first = { from: '2025-03-04T12:00:00Z', to: '2025-03-11T12:00:00Z' };
    const again = scriptPages({ [url(W1.from, W1.to)]: noLicense(), [url(first.from, first.to)]: noLicense() });
    const r2 = await h.run(c.connector, { readPages: again.reader, context: { runStartedAt: START2 } });
    expect(r2.error instanceof Error ? r2.error.message : r2.error).toMatch(/skipped/);
    expect(r2.outcome).toBe('skipped');
    expect(ledgerRows(h.db, 2)[0]).toMatchObject({ outcome: 'skipped' });
  });
});
