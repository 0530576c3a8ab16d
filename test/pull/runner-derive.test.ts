import { describe, expect, it } from 'vitest';
import type { DeriveStep } from '../../src/pull/connector.js';
import type { RelationScope } from '../../src/store/index.js';
import {
  Harness, changeRows, connector, isoOf, ledger, ledgerRows, link, linkFacts, linkRows, seedEntity, settled, syncRow,
} from './support-runners.js';

const TENANT = 'tenant1';
const licensedWith: RelationScope = { relation: 'licensedWith', anchor: 'source', anchorType: 'user' };
const QUERY = 'derive user licensedWith';
const LIST_REASON = 'list collection: every run reads everything';

/** A licenses-like derive step; records the rows it was given, and may be told to fail on one. */
function licenseStep(o: { failOn?: string } = {}) {
  const seen: string[] = [];
  const step: DeriveStep = {
    kind: 'derive',
    name: 'licensedWith',
    sourceType: 'user',
    sourceFields: ['assignedLicenses'],
    entityTypes: [],
    relationScopes: [licensedWith],
    derive: (row, ctx) => {
      if (row.id === o.failOn) {
        o.failOn = undefined; // once
        throw new Error(`cannot read ${row.id}`);
      }
      seen.push(row.id);
      const held = Array.isArray(row.data.assignedLicenses) ? (row.data.assignedLicenses as { skuId: string }[]) : [];
      return [{
        entityType: 'user',
        id: row.id,
        links: held.map((l) => ({ scope: licensedWith, anchorId: row.id, otherId: `${ctx.tenantId}_${l.skuId}`, otherType: 'subscribedSku', removed: false })),
      }];
    },
  };
  return { connector: connector('licenses', [step]), seen };
}

const lic = (...skus: string[]) => ({ assignedLicenses: skus.map((skuId) => ({ skuId, disabledPlans: [] })) });
const licensed = (u: string, sku: string, o: Parameters<typeof link>[3] = {}) => link('licensedWith', ['user', u], ['subscribedSku', `${TENANT}_${sku}`], o);
const context = { tenantId: TENANT };

describe('derive runner', () => {
  it('derives links from the stored live rows of sourceType, in id order, over more than one chunk of 1000', async () => {
    const h = new Harness();
    const ids = Array.from({ length: 2345 }, (_, i) => `u${String(i + 1).padStart(4, '0')}`);
    for (const id of ids) seedEntity(h.db, 'user', id, Number(id.slice(1)) % 3 === 0 ? lic('skuA', 'skuB') : lic('skuA'));
    seedEntity(h.db, 'user', 'u0000', lic('skuA'), { deletedKind: 'soft' });
    seedEntity(h.db, 'user', 'u9999', lic('skuA'), { deletedKind: 'permanent' });
    seedEntity(h.db, 'group', 'g1', lic('skuA')); // not the source type
    const d = licenseStep();

    const r = await h.run(d.connector, { context });

    const expectedLinks = 2345 + Math.floor(2345 / 3);
    expect(r).toMatchObject({ outcome: 'success', mode: 'full', pages: 0, upserts: 0, links_upserted: expectedLinks, links_deleted: 0 });
    expect(d.seen).toEqual(ids);
    const rows = linkRows(h.db, 'licensedWith');
    expect(rows).toHaveLength(expectedLinks);
    expect(rows.slice(0, 3)).toEqual([licensed('u0001', 'skuA'), licensed('u0002', 'skuA'), licensed('u0003', 'skuA')]);
    expect(rows.filter((l) => l.source_id >= 'u2343')).toEqual([
      licensed('u2343', 'skuA'), licensed('u2343', 'skuB'), licensed('u2344', 'skuA'), licensed('u2345', 'skuA'),
    ]);
    expect(rows.filter((l) => ['u0000', 'u9999', 'g1'].includes(l.source_id))).toEqual([]);
    // The user rows are read, never written.
    expect(h.db.prepare("SELECT COUNT(*) FROM entities WHERE last_seen_run <> 0").pluck().get()).toBe(0);
    expect(syncRow(h.db, 'licenses')).toEqual(settled('licenses', QUERY, { lastFullRun: 1, updatedRun: 1 }));
    expect(ledgerRows(h.db, 1)).toEqual([ledger(1, 'licenses', { links_upserted: expectedLinks, full_reason: LIST_REASON })]);
    expect(changeRows(h.db, 1)).toEqual([{ run_id: 1, at: isoOf(1), kind: 'baseline', relation: 'licensedWith', source_type: 'user' }]);
  });

  it('a round that fails in its second chunk keeps the first chunk, resumes after its last row and ends like a clean run', async () => {
    const ids = Array.from({ length: 1500 }, (_, i) => `u${String(i + 1).padStart(4, '0')}`);
    const seed = (h: Harness) => {
      for (const id of ids) {
        if (id === 'u1200') seedEntity(h.db, 'user', id, lic('skuB'), { deletedKind: 'soft' }); // never derived
        else seedEntity(h.db, 'user', id, lic('skuA'));
      }
    };
    const h = new Harness();
    seed(h);
    const clean = new Harness();
    seed(clean);
    await clean.run(licenseStep().connector, { context });

    const d2 = licenseStep({ failOn: 'u1100' });
    const r2 = await h.run(d2.connector, { context });
    expect(r2).toMatchObject({ outcome: 'failed', links_upserted: 1000 });
    expect((r2.error as Error).message).toBe('cannot read u1100');
    expect(syncRow(h.db, 'licenses')).toEqual({
      ...settled('licenses', QUERY, { lastFullRun: null, updatedRun: 1 }),
      round_mode: 'full', round_next_link: 'u1000', round_start_run: 1, round_started_at: isoOf(1),
    });
    expect(ledgerRows(h.db, 1)).toEqual([
      ledger(1, 'licenses', { outcome: 'failed', error: 'cannot read u1100', links_upserted: 1000, full_reason: LIST_REASON }),
    ]);

    const d3 = licenseStep();
    const r3 = await h.run(d3.connector, { context });
    expect(r3).toMatchObject({ outcome: 'success', resumed: true, links_upserted: 499 });
    expect(d3.seen).toEqual(ids.filter((id) => id > 'u1000' && id !== 'u1200'));
    expect(linkFacts(h.db, 'licensedWith')).toEqual(linkFacts(clean.db, 'licensedWith'));
    expect(syncRow(h.db, 'licenses')).toEqual(settled('licenses', QUERY, { lastFullRun: 2, updatedRun: 2 }));
  });

  it('links no longer derived are tombstoned at the end of a complete round; links of a soft-deleted or unseen user are kept', async () => {
    const h = new Harness();
    seedEntity(h.db, 'user', 'a', lic('skuA', 'skuB'));
    seedEntity(h.db, 'user', 'b', lic('skuA'));
    seedEntity(h.db, 'user', 'c', lic('skuB'));
    seedEntity(h.db, 'user', 'd', lic('skuA'));
    await h.run(licenseStep().connector, { context });
    // Since: a lost skuB, b was soft-deleted, d went unseen (a full round of users did not return it), c is as it was.
    h.db.prepare("UPDATE entities SET data = ? WHERE id = 'a'").run(JSON.stringify(lic('skuA')));
    h.db.prepare("UPDATE entities SET deleted_at = ?, deleted_kind = 'soft' WHERE id = 'b'").run(isoOf(1));
    h.db.prepare("UPDATE entities SET deleted_at = ?, deleted_kind = 'unseen' WHERE id = 'd'").run(isoOf(1));

    const d2 = licenseStep();
    const r = await h.run(d2.connector, { context });

    expect(r).toMatchObject({ outcome: 'success', links_upserted: 2, links_deleted: 1 });
    expect(d2.seen).toEqual(['a', 'c']);
    expect(linkRows(h.db, 'licensedWith')).toEqual([
      licensed('a', 'skuA', { last: 2 }),
      licensed('a', 'skuB', { last: 1, deletedAt: isoOf(2) }),
      licensed('b', 'skuA', { last: 1 }),
      licensed('c', 'skuB', { last: 2 }),
      licensed('d', 'skuA', { last: 1 }),
    ]);
    expect(changeRows(h.db, 2)).toEqual([
      { run_id: 2, at: isoOf(2), kind: 'removed', relation: 'licensedWith', source_type: 'user', source_id: 'a', target_type: 'subscribedSku', target_id: `${TENANT}_skuB`, scope: '' },
    ]);
    // effective_relations leaves out the kept links of deleted users.
    expect(h.db.prepare("SELECT source_id FROM effective_relations WHERE relation = 'licensedWith' ORDER BY 1").pluck().all()).toEqual(['a', 'c']);
    expect(ledgerRows(h.db, 2)).toEqual([ledger(2, 'licenses', { links_upserted: 2, links_deleted: 1, full_reason: LIST_REASON })]);
  });

  it('a round that fails before its first chunk is written leaves a state from which the next run derives every row again', async () => {
    const h = new Harness();
    seedEntity(h.db, 'user', 'a1', lic('skuA'));
    seedEntity(h.db, 'user', 'b1', lic('skuA'));
    await h.run(licenseStep().connector, { context });

    const r2 = await h.run(licenseStep({ failOn: 'a1' }).connector, { context });
    expect(r2.outcome).toBe('failed');

    const d3 = licenseStep();
    const r3 = await h.run(d3.connector, { context });
    expect(r3.outcome).toBe('success');
    expect(d3.seen).toEqual(['a1', 'b1']);
    expect(linkRows(h.db, 'licensedWith').map((l) => [l.source_id, l.deleted_at])).toEqual([['a1', null], ['b1', null]]);
  });
});
