import { describe, expect, it } from 'vitest';
import type { DeltaStep, EnrichStep } from '../../src/pull/connector.js';
import {
  Harness, changeRows, connector, entityRows, isoOf, ledger, ledgerRows, scriptPages, seedEntity, settled, syncRow,
} from './support-runners.js';

const ENRICH_URL = '/users?$select=id,signInActivity';
const enrichStep: EnrichStep = {
  kind: 'enrich',
  name: 'signInActivity',
  entityType: 'user',
  key: 'signInActivity',
  entityTypes: [],
  relationScopes: [],
  url: () => ENRICH_URL,
  value: (obj) => (typeof obj.id === 'string' ? { id: obj.id, value: obj.signInActivity ?? null } : undefined),
};
const activity = connector('signInActivity', [enrichStep]);

const usersStep: DeltaStep = {
  kind: 'delta',
  name: 'users',
  entityTypes: ['user'],
  relationScopes: [],
  url: () => '/users/delta',
  map: (obj) => [{ entityType: 'user', id: obj.id as string, data: { ...obj }, links: [] }],
};
const users = connector('users', [usersStep], 'delta');
const KEEP = new Map([['user', ['signInActivity']]]);

const act = (day: string) => ({ lastSignInDateTime: `2025-03-${day}T08:00:00Z`, lastSignInRequestId: `req-${day}`, lastNonInteractiveSignInDateTime: null });
const A1 = act('01');
const A2 = act('02');

/** One page of the enrich listing per call: `[id, activity]` pairs. */
const listing = (...objs: Record<string, unknown>[]) => scriptPages({ [ENRICH_URL]: { value: objs } }).reader;

describe('enrich runner', () => {
  it('sets data.<key> of existing rows of its entity type only: creates nothing, revives nothing, leaves last_seen_run alone, records no change', async () => {
    const h = new Harness();
    seedEntity(h.db, 'user', 'u1', { displayName: 'One', accountEnabled: true }, { run: 0 });
    seedEntity(h.db, 'user', 'u2', { displayName: 'Two' }, { run: 0, deletedKind: 'soft', deletedAt: '2025-02-01T00:00:00.000Z' });
    seedEntity(h.db, 'group', 'u1', { displayName: 'Same id, other type' });
    const s = scriptPages({
      [ENRICH_URL]: { value: [{ id: 'u1', signInActivity: A1 }, { id: 'u3', signInActivity: A1 }], nextLink: 'https://graph.test/users?page=2' },
      'https://graph.test/users?page=2': { value: [{ id: 'u2', signInActivity: A2 }, { signInActivity: A2 }] },
    });

    const r = await h.run(activity, { readPages: s.reader });

    expect(r).toMatchObject({ outcome: 'success', mode: 'full', pages: 2, upserts: 2, deletions: 0, links_upserted: 0 });
    expect(entityRows(h.db, 'user')).toEqual([
      { entity_type: 'user', id: 'u1', display_name: 'One', data: { displayName: 'One', accountEnabled: true, signInActivity: A1 }, first_seen_run: 0, last_seen_run: 0, deleted_at: null, deleted_kind: null },
      // Not revived: still deleted, as it was (its last sign-in is kept up to date all the same).
      { entity_type: 'user', id: 'u2', display_name: 'Two', data: { displayName: 'Two', signInActivity: A2 }, first_seen_run: 0, last_seen_run: 0, deleted_at: '2025-02-01T00:00:00.000Z', deleted_kind: 'soft' },
    ]);
    expect(entityRows(h.db, 'group')).toEqual([
      { entity_type: 'group', id: 'u1', display_name: 'Same id, other type', data: { displayName: 'Same id, other type' }, first_seen_run: 0, last_seen_run: 0, deleted_at: null, deleted_kind: null },
    ]);
    expect(changeRows(h.db)).toEqual([]);
    expect(syncRow(h.db, 'signInActivity')).toEqual(settled('signInActivity', ENRICH_URL, { lastFullRun: 1, updatedRun: 1 }));
    expect(ledgerRows(h.db, 1)).toEqual([ledger(1, 'signInActivity', { pages: 2, upserts: 2, requests: 2, full_reason: 'list collection: every run reads everything' })]);
  });

  it('a round that does not list a user tombstones nothing; an unchanged value is not rewritten', async () => {
    const h = new Harness();
    seedEntity(h.db, 'user', 'u1', { displayName: 'One' });
    seedEntity(h.db, 'user', 'u2', { displayName: 'Two' });
    const upserts = async (...objs: Record<string, unknown>[]) => (await h.run(activity, { readPages: listing(...objs) })).upserts;

    expect(await upserts({ id: 'u1', signInActivity: A1 }, { id: 'u2', signInActivity: A2 })).toBe(2);
    expect(await upserts({ id: 'u1', signInActivity: A1 }, { id: 'u2', signInActivity: A2 })).toBe(0);
    expect(await upserts({ id: 'u1', signInActivity: act('05') }, { id: 'u2', signInActivity: A2 })).toBe(1);
    expect(await upserts({ id: 'u1' })).toBe(1); // no activity any more: null; u2 not listed
    expect(await upserts({ id: 'u1' })).toBe(0);
    expect(entityRows(h.db, 'user').map((r) => [r.id, r.data, r.deleted_at])).toEqual([
      ['u1', { displayName: 'One', signInActivity: null }, null],
      ['u2', { displayName: 'Two', signInActivity: A2 }, null],
    ]);
    expect(ledgerRows(h.db, 2)).toEqual([ledger(2, 'signInActivity', { pages: 1, requests: 1, full_reason: 'list collection: every run reads everything' })]);
    expect(changeRows(h.db)).toEqual([]);
  });

  describe('a full round of the owner', () => {
    async function scenario(keep: boolean) {
      const h = new Harness();
      await h.run(users, {
        readPages: scriptPages({ '/users/delta': { value: [{ id: 'u1', displayName: 'One', jobTitle: 'Dev' }, { id: 'u2', displayName: 'Two' }], deltaLink: 'https://graph.test/d1' } }).reader,
        ...(keep ? { keep: KEEP } : {}),
      });
      await h.run(activity, { readPages: listing({ id: 'u1', signInActivity: A1 }, { id: 'u2', signInActivity: A2 }) });
      const r = await h.run(users, {
        readPages: scriptPages({ '/users/delta': { value: [{ id: 'u1', displayName: 'One', jobTitle: 'Lead' }, { id: 'u2', displayName: 'Two' }], deltaLink: 'https://graph.test/d2' } }).reader,
        full: true,
        ...(keep ? { keep: KEEP } : {}),
      });
      expect(r).toMatchObject({ outcome: 'success', mode: 'full', fullReason: '--full', upserts: 2, deletions: 0 });
      return h;
    }

    it('with keep: data.signInActivity survives and only the owner\'s own changes are recorded', async () => {
      const h = await scenario(true);
      expect(entityRows(h.db, 'user')).toEqual([
        { entity_type: 'user', id: 'u1', display_name: 'One', data: { id: 'u1', displayName: 'One', jobTitle: 'Lead', signInActivity: A1 }, first_seen_run: 1, last_seen_run: 3, deleted_at: null, deleted_kind: null },
        { entity_type: 'user', id: 'u2', display_name: 'Two', data: { id: 'u2', displayName: 'Two', signInActivity: A2 }, first_seen_run: 1, last_seen_run: 3, deleted_at: null, deleted_kind: null },
      ]);
      expect(changeRows(h.db, 3)).toEqual([
        { run_id: 3, at: isoOf(3), kind: 'changed', entity_type: 'user', entity_id: 'u1', properties: { jobTitle: ['Dev', 'Lead'] } },
      ]);
    });

    it('without keep (the difference): the full write drops data.signInActivity and records it as the owner\'s change', async () => {
      const h = await scenario(false);
      expect(entityRows(h.db, 'user').map((r) => [r.id, r.data])).toEqual([
        ['u1', { id: 'u1', displayName: 'One', jobTitle: 'Lead' }],
        ['u2', { id: 'u2', displayName: 'Two' }],
      ]);
      expect(changeRows(h.db, 3)).toEqual([
        { run_id: 3, at: isoOf(3), kind: 'changed', entity_type: 'user', entity_id: 'u1', properties: { jobTitle: ['Dev', 'Lead'], signInActivity: [A1, null] } },
        { run_id: 3, at: isoOf(3), kind: 'changed', entity_type: 'user', entity_id: 'u2', properties: { signInActivity: [A2, null] } },
      ]);
    });
  });
});
