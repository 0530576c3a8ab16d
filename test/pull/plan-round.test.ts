import { describe, expect, it } from 'vitest';
import { planRound } from '../../src/pull/plan-round.js';
import type { SyncStateRow } from '../../src/store/index.js';

const DAY = 86_400_000;
const NOW = Date.parse('2026-11-30T12:00:00Z');
const Q = '/users/delta?$select=id,displayName';

function state(over: Partial<SyncStateRow> = {}): SyncStateRow {
  return {
    collection: 'users', query: Q, delta_link: 'https://g/d1', delta_link_at: new Date(NOW - DAY).toISOString(),
    last_full_at: new Date(NOW - 3 * DAY).toISOString(), round_mode: null, round_next_link: null, round_start_run: null,
    round_started_at: null, updated_at: null, links_unsettled_since: null, ...over,
  };
}

const plan = (s: SyncStateRow | undefined, o: { full?: boolean; fullEveryMs?: number; changeTracking?: 'delta' | 'list' } = {}) =>
  planRound(s, { query: Q, changeTracking: o.changeTracking ?? 'delta', full: o.full ?? false, runId: 9, fullEveryMs: o.fullEveryMs, now: NOW });

describe('planRound', () => {
  it('follows the saved deltaLink while the last full round is younger than --full-every', () => {
    expect(plan(state(), { fullEveryMs: 7 * DAY })).toEqual({ mode: 'delta', link: 'https://g/d1', roundStart: 9, resumed: false });
  });

  it('runs a full round on its own when the last complete full round is older than --full-every, and says why', () => {
    const p = plan(state({ last_full_at: new Date(NOW - 8 * DAY).toISOString() }), { fullEveryMs: 7 * DAY });
    expect(p).toMatchObject({ mode: 'full', link: Q, resumed: false });
    expect(p.fullReason).toMatch(/scheduled reconciliation.*8\.0 days.*--full-every 7/);
    expect(plan(state({ last_full_at: null }), { fullEveryMs: 7 * DAY }).mode).toBe('full');
  });

  it('--full-every 0 never schedules a full round', () => {
    expect(plan(state({ last_full_at: new Date(NOW - 400 * DAY).toISOString() }), { fullEveryMs: 0 }).mode).toBe('delta');
  });

  it('an unfinished round is resumed even when a full round is due', () => {
    const s = state({ last_full_at: new Date(NOW - 30 * DAY).toISOString(), round_mode: 'delta', round_next_link: 'https://g/p3', round_start_run: 8 });
    expect(plan(s, { fullEveryMs: 7 * DAY })).toMatchObject({ mode: 'delta', link: 'https://g/p3', resumed: true, roundStart: 8 });
  });

  it('names every other reason for a full round', () => {
    expect(plan(undefined).fullReason).toBe('first round');
    expect(plan(state(), { full: true }).fullReason).toBe('--full');
    expect(plan(state({ query: '/users/delta?$select=id' })).fullReason).toMatch(/query changed/);
    expect(plan(state(), { changeTracking: 'list' }).fullReason).toMatch(/list collection/);
  });
});
