import { describe, expect, it } from 'vitest';
import {
  markEntityDeleted,
  markObjectRelationsDeleted,
  markRelationDeleted,
  openDatabase,
  tombstoneUnseenEntities,
  tombstoneUnseenRelations,
  upsertEntity,
  upsertRelation,
  type Db,
  type RelationScope,
} from '../../src/store/index.js';

const memberOf: RelationScope = { relation: 'memberOf', anchor: 'target', anchorType: 'group' };
const stamp = (runId: number, at = `2026-01-0${runId}T00:00:00.000Z`) => ({ runId, at });

function changes(db: Db) {
  return (db.prepare('SELECT run_id, kind, entity_type, entity_id, relation, source_id, target_id, properties FROM changes ORDER BY id').all() as {
    run_id: number; kind: string; entity_type: string | null; entity_id: string | null; relation: string | null;
    source_id: string | null; target_id: string | null; properties: string | null;
  }[]).map((c) => ({
    run: c.run_id,
    kind: c.kind,
    key: c.entity_id ?? `${c.relation}:${c.source_id}>${c.target_id}`,
    ...(c.properties ? { properties: JSON.parse(c.properties) as unknown } : {}),
  }));
}

function entity(db: Db, id: string) {
  const row = db.prepare('SELECT data, deleted_at, deleted_kind FROM entities WHERE id = ?').get(id) as { data: string; deleted_at: string | null; deleted_kind: string | null };
  return { ...row, data: JSON.parse(row.data) as Record<string, unknown> };
}

const link = (source: string, target: string) => ({ relation: 'memberOf', sourceType: 'user', sourceId: source, targetType: 'group', targetId: target });

describe('the changes table: every change the store makes, old and new values, nothing for a replay', () => {
  it('records object creation, property changes with old and new values, and nothing when a replay leaves the row as it was', () => {
    const db = openDatabase(':memory:');
    upsertEntity(db, { entityType: 'user', id: 'u', data: { displayName: 'U', jobTitle: 'Engineer', department: 'IT' }, merge: false }, stamp(1));
    // delta (merge): jobTitle cleared (Graph sends null), department changed
    upsertEntity(db, { entityType: 'user', id: 'u', data: { jobTitle: null, department: 'Sales' }, merge: true }, stamp(2));
    expect(entity(db, 'u').data).toEqual({ displayName: 'U', jobTitle: null, department: 'Sales' });
    // the same change replayed in the same run and in a later one: no change row
    expect(upsertEntity(db, { entityType: 'user', id: 'u', data: { jobTitle: null, department: 'Sales' }, merge: true }, stamp(2))).toBe(false);
    upsertEntity(db, { entityType: 'user', id: 'u', data: { department: 'Sales' }, merge: true }, stamp(3));
    // a full round drops a property Graph no longer sends
    upsertEntity(db, { entityType: 'user', id: 'u', data: { displayName: 'U' }, merge: false }, stamp(4));
    expect(changes(db)).toEqual([
      { run: 1, kind: 'created', key: 'u' },
      { run: 2, kind: 'changed', key: 'u', properties: { jobTitle: ['Engineer', null], department: ['IT', 'Sales'] } },
      { run: 4, kind: 'changed', key: 'u', properties: { department: ['Sales', null] } },
    ]);
  });

  it('soft delete keeps links; restore is recorded with what changed; permanent delete removes links on both sides', () => {
    const db = openDatabase(':memory:');
    upsertEntity(db, { entityType: 'user', id: 'u', data: { displayName: 'U' }, merge: false }, stamp(1));
    upsertEntity(db, { entityType: 'group', id: 'g', data: { displayName: 'G' }, merge: false }, stamp(1));
    upsertEntity(db, { entityType: 'group', id: 'parent', data: { displayName: 'P' }, merge: false }, stamp(1));
    upsertRelation(db, link('u', 'g'), undefined, stamp(1));
    upsertRelation(db, { relation: 'memberOf', sourceType: 'group', sourceId: 'g', targetType: 'group', targetId: 'parent' }, undefined, stamp(1));
    upsertRelation(db, { relation: 'ownerOf', sourceType: 'user', sourceId: 'u', targetType: 'group', targetId: 'parent' }, undefined, stamp(1));

    expect(markEntityDeleted(db, 'group', 'g', 'soft', stamp(2))).toBe(true);
    expect(markEntityDeleted(db, 'group', 'g', 'soft', stamp(2))).toBe(false); // replay
    const live = () => db.prepare('SELECT COUNT(*) FROM entity_relations WHERE deleted_at IS NULL').pluck().get();
    const effective = () => db.prepare('SELECT COUNT(*) FROM effective_relations').pluck().get();
    expect(live()).toBe(3);
    expect(effective()).toBe(1); // only u ownerOf parent: both links of g have a soft-deleted end

    upsertEntity(db, { entityType: 'group', id: 'g', data: { displayName: 'G2' }, merge: true }, stamp(3));
    expect(entity(db, 'g')).toMatchObject({ deleted_at: null, deleted_kind: null });
    expect(effective()).toBe(3);

    markEntityDeleted(db, 'user', 'u', 'soft', stamp(4));
    const softAt = entity(db, 'u').deleted_at;
    expect(markEntityDeleted(db, 'user', 'u', 'permanent', stamp(5))).toBe(true);
    expect(entity(db, 'u')).toMatchObject({ deleted_at: softAt, deleted_kind: 'permanent' }); // first removal time kept
    expect(markObjectRelationsDeleted(db, 'user', 'u', stamp(5))).toBe(2);
    expect(markObjectRelationsDeleted(db, 'user', 'u', stamp(5))).toBe(0); // idempotent
    expect(live()).toBe(1);

    expect(changes(db).filter((c) => c.run >= 2)).toEqual([
      { run: 2, kind: 'soft_deleted', key: 'g' },
      { run: 3, kind: 'restored', key: 'g', properties: { displayName: ['G', 'G2'] } },
      { run: 4, kind: 'soft_deleted', key: 'u' },
      { run: 5, kind: 'deleted', key: 'u' },
      { run: 5, kind: 'removed', key: 'memberOf:u>g' },
      { run: 5, kind: 'removed', key: 'ownerOf:u>parent' },
    ]);
  });

  for (const expectNew of [true, false]) it(`records link added, removed and revived, and nothing for a link seen again unchanged (expectNew ${expectNew})`, () => {
    const db = openDatabase(':memory:');
    expect(upsertRelation(db, link('u', 'g'), undefined, stamp(1), { expectNew })).toBe(true);
    expect(upsertRelation(db, link('u', 'g'), undefined, stamp(1), { expectNew })).toBe(false);
    expect(upsertRelation(db, link('u', 'g'), undefined, stamp(2), { expectNew })).toBe(true); // seen again: last_seen_run only
    expect(upsertRelation(db, link('u', 'g'), { changed: 1 }, stamp(2), { expectNew })).toBe(true); // data changed
    expect(upsertRelation(db, link('u', 'g'), { changed: 1 }, stamp(2), { expectNew })).toBe(false);
    expect(markRelationDeleted(db, memberOf, 'g', 'u', stamp(3))).toBe(1);
    expect(markRelationDeleted(db, memberOf, 'g', 'u', stamp(3))).toBe(0);
    expect(upsertRelation(db, link('u', 'g'), undefined, stamp(4), { expectNew })).toBe(true);
    const first = db.prepare('SELECT first_seen_run, last_seen_run, deleted_at FROM entity_relations').get();
    expect(first).toEqual({ first_seen_run: 1, last_seen_run: 4, deleted_at: null });
    expect(changes(db)).toEqual([
      { run: 1, kind: 'added', key: 'memberOf:u>g' },
      { run: 3, kind: 'removed', key: 'memberOf:u>g' },
      { run: 4, kind: 'revived', key: 'memberOf:u>g' },
    ]);
  });

  it('a complete full round marks unseen objects "unseen" and keeps links whose other end is soft-deleted or unseen', () => {
    const db = openDatabase(':memory:');
    for (const id of ['a', 'b', 'c']) upsertEntity(db, { entityType: 'user', id, data: { displayName: id }, merge: false }, stamp(1));
    upsertEntity(db, { entityType: 'group', id: 'g', data: {}, merge: false }, stamp(1));
    for (const id of ['a', 'b', 'c', 'dev']) upsertRelation(db, { ...link(id, 'g'), sourceType: id === 'dev' ? 'device' : 'user' }, undefined, stamp(1));
    markEntityDeleted(db, 'user', 'b', 'soft', stamp(2));
    // run 3, full round of users sees only a; full round of groups sees g with member a only
    upsertEntity(db, { entityType: 'user', id: 'a', data: { displayName: 'a' }, merge: false }, stamp(3));
    expect(tombstoneUnseenEntities(db, ['user'], 3, stamp(3))).toBe(1); // c (b is already deleted)
    upsertEntity(db, { entityType: 'group', id: 'g', data: {}, merge: false }, stamp(3));
    upsertRelation(db, link('a', 'g'), undefined, stamp(3));
    // b's and c's links stay (soft / unseen end); the device's link, unseen, goes.
    expect(tombstoneUnseenRelations(db, [memberOf], 3, stamp(3))).toBe(1);
    const liveLinks = db.prepare('SELECT source_id FROM entity_relations WHERE deleted_at IS NULL ORDER BY 1').pluck().all();
    expect(liveLinks).toEqual(['a', 'b', 'c']);
    expect(db.prepare('SELECT source_id FROM effective_relations').pluck().all()).toEqual(['a']);
    expect(entity(db, 'c').deleted_kind).toBe('unseen');
    expect(changes(db).filter((c) => c.run === 3)).toEqual([
      { run: 3, kind: 'unseen', key: 'c' },
      { run: 3, kind: 'removed', key: 'memberOf:dev>g' },
    ]);
  });
});
