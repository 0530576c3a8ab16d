import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, pruneHistory, type Db } from '../../src/store/index.js';

/**
 * prune's rules on a hand-built database: what old history goes, and what never does (live rows,
 * soft-deleted and unseen objects and their links, anything removed more recently than the limit,
 * the newest runs, a run still running, each collection's last attempt and last success).
 */
const NOW = Date.parse('2026-06-01T00:00:00.000Z');
const POLICY = { keepRuns: 3, changesDays: 400, signInsDays: 90 };
const OLD = '2024-01-01T00:00:00.000Z'; // older than 400 days
const RECENT = '2026-01-01T00:00:00.000Z'; // younger than 400 days, older than 90

const open: Db[] = [];
afterEach(() => {
  for (const db of open.splice(0)) db.close();
});

function newDb(): Db {
  const db = openDatabase(join(mkdtempSync(join(tmpdir(), 'ee-prune-')), 'entra.db'));
  open.push(db);
  return db;
}

function entity(db: Db, type: string, id: string, deletedAt: string | null = null, kind: string | null = null): void {
  db.prepare('INSERT INTO entities (entity_type, id, display_name, data, first_seen_run, last_seen_run, deleted_at, deleted_kind) VALUES (?, ?, ?, ?, 1, 1, ?, ?)').run(
    type, id, id, '{}', deletedAt, kind,
  );
}

function link(db: Db, relation: string, source: string, target: string, deletedAt: string | null = null): void {
  const [st, si] = source.split(':') as [string, string];
  const [tt, ti] = target.split(':') as [string, string];
  db.prepare('INSERT INTO entity_relations (relation, source_type, source_id, target_type, target_id, scope, first_seen_run, last_seen_run, deleted_at) VALUES (?, ?, ?, ?, ?, \'\', 1, 1, ?)').run(
    relation, st, si, tt, ti, deletedAt,
  );
}

const entityKeys = (db: Db) => db.prepare("SELECT entity_type || ':' || id FROM entities ORDER BY 1").pluck().all() as string[];
const linkKeys = (db: Db) =>
  db.prepare("SELECT relation || ' ' || source_id || '>' || target_id FROM entity_relations ORDER BY 1").pluck().all() as string[];
const effective = (db: Db) => db.prepare('SELECT * FROM effective_relations ORDER BY relation, source_id, target_id').all();

/** The review tables: live, soft-deleted, unseen and removed objects and links of every age. */
function plantReviewTables(db: Db): void {
  entity(db, 'group', 'G');
  entity(db, 'user', 'live');
  entity(db, 'user', 'softOld', OLD, 'soft');
  entity(db, 'user', 'unseenOld', OLD, 'unseen');
  entity(db, 'user', 'softOldAlone', OLD, 'soft'); // no link at all: still restorable, so kept
  entity(db, 'user', 'unseenOldAlone', OLD, 'unseen');
  entity(db, 'user', 'goneOld', OLD, 'permanent');
  entity(db, 'user', 'legacyOld', OLD, null); // removed before schema 002: kind not recorded
  entity(db, 'user', 'goneRecent', RECENT, 'permanent');
  entity(db, 'user', 'goneOldLiveSource', OLD, 'permanent'); // a live link names it: it must stay
  entity(db, 'user', 'goneOldLiveTarget', OLD, 'permanent');
  entity(db, 'group', 'goneOldGroup', OLD, 'permanent');

  link(db, 'memberOf', 'user:live', 'group:G');
  link(db, 'memberOf', 'user:softOld', 'group:G'); // kept with the soft-deleted user, back on restore
  link(db, 'memberOf', 'user:unseenOld', 'group:G');
  link(db, 'memberOf', 'user:goneOldLiveSource', 'group:G');
  link(db, 'reportsTo', 'user:live', 'user:goneOldLiveTarget');
  link(db, 'memberOf', 'device:D', 'group:G'); // an end without an entity row
  link(db, 'memberOf', 'user:goneOld', 'group:G', OLD);
  link(db, 'memberOf', 'user:goneOld', 'group:goneOldGroup', OLD);
  link(db, 'ownerOf', 'user:live', 'group:G', RECENT);
  link(db, 'memberOf', 'user:goneRecent', 'group:G', RECENT);
}

describe('pruneHistory on the review tables', () => {
  it('removes history removed before the limit, and never a live row, a soft-deleted or unseen object, or anything removed later', () => {
    const db = newDb();
    plantReviewTables(db);
    const before = effective(db);

    const r = pruneHistory(db, POLICY, NOW);

    expect(entityKeys(db)).toEqual([
      'group:G',
      'user:goneOldLiveSource',
      'user:goneOldLiveTarget',
      'user:goneRecent',
      'user:live',
      'user:softOld',
      'user:softOldAlone',
      'user:unseenOld',
      'user:unseenOldAlone',
    ]);
    expect(linkKeys(db)).toEqual([
      'memberOf D>G',
      'memberOf goneOldLiveSource>G',
      'memberOf goneRecent>G',
      'memberOf live>G',
      'memberOf softOld>G',
      'memberOf unseenOld>G',
      'ownerOf live>G',
      'reportsTo live>goneOldLiveTarget',
    ]);
    expect(r).toMatchObject({ entities: 3, entityRelations: 2, signIns: 0 });
    // Access as Entra judges it is exactly what it was.
    expect(effective(db)).toEqual(before);
  });

  it('a removal at the limit is kept; one just older goes', () => {
    const db = newDb();
    const limit = new Date(NOW - POLICY.changesDays * 86_400_000);
    entity(db, 'user', 'atLimit', limit.toISOString(), 'permanent');
    entity(db, 'user', 'justOlder', new Date(limit.getTime() - 1).toISOString(), 'permanent');
    pruneHistory(db, POLICY, NOW);
    expect(entityKeys(db)).toEqual(['user:atLimit']);
  });

  it('with nothing old, removes nothing', () => {
    const db = newDb();
    plantReviewTables(db);
    const r = pruneHistory(db, { ...POLICY, changesDays: 10_000 }, NOW);
    expect(r).toEqual({ runs: 0, runCollections: 0, changes: 0, entityRelations: 0, entities: 0, signIns: 0 });
  });
});

describe('pruneHistory on changes and sign_ins', () => {
  it('removes changes rows older than changes-days and keeps the rest', () => {
    const db = newDb();
    const add = db.prepare("INSERT INTO changes (run_id, at, kind, entity_type, entity_id) VALUES (1, ?, 'created', 'user', ?)");
    add.run(OLD, 'a');
    add.run(OLD, 'b');
    add.run(RECENT, 'c');
    const r = pruneHistory(db, POLICY, NOW);
    expect(r.changes).toBe(2);
    expect(db.prepare('SELECT entity_id FROM changes').pluck().all()).toEqual(['c']);
  });

  it('removes sign-ins older than sign-ins-days', () => {
    const db = newDb();
    const add = db.prepare("INSERT INTO sign_ins (id, user_id, created_at, data, run_id) VALUES (?, ?, ?, '{}', 1)");
    add.run('s1', 'u', OLD);
    add.run('s2', 'u', RECENT); // 151 days old: past 90
    add.run('s3', 'u', '2026-05-20T10:00:00Z'); // Graph's form, no fraction: 12 days old
    const r = pruneHistory(db, POLICY, NOW);
    expect(r.signIns).toBe(2);
    expect(db.prepare('SELECT id FROM sign_ins').pluck().all()).toEqual(['s3']);
  });
});

describe('pruneHistory on the run ledger', () => {
  function run(db: Db, id: number, outcome: string, collections: Record<string, string>): void {
    db.prepare('INSERT INTO runs (id, command, started_at, ended_at, outcome) VALUES (?, ?, ?, ?, ?)').run(id, 'pull', OLD, OLD, outcome);
    for (const [c, o] of Object.entries(collections)) {
      db.prepare('INSERT INTO run_collections (run_id, collection, mode, outcome, started_at, ended_at) VALUES (?, ?, ?, ?, ?, ?)').run(id, c, 'delta', o, OLD, OLD);
    }
  }

  it('keeps the newest keep-runs runs, a run still running, and each collection\'s last attempt and last success', () => {
    const db = newDb();
    run(db, 1, 'success', { users: 'success', groups: 'success' });
    run(db, 2, 'running', { users: 'running' }); // a run that died: the next pull closes it, not prune
    run(db, 3, 'success', { users: 'success', groups: 'success' });
    run(db, 4, 'success', { users: 'success', groups: 'success' }); // groups' last success
    run(db, 5, 'partial', { users: 'success', groups: 'failed' }); // groups' last attempt
    run(db, 6, 'success', { users: 'success' });
    run(db, 7, 'failed', {});
    run(db, 8, 'success', { users: 'success' });
    run(db, 9, 'success', { users: 'success' });
    run(db, 10, 'success', { users: 'success' });

    const r = pruneHistory(db, POLICY, NOW);

    expect(db.prepare('SELECT id FROM runs ORDER BY id').pluck().all()).toEqual([2, 4, 5, 8, 9, 10]);
    expect(db.prepare('SELECT DISTINCT run_id FROM run_collections ORDER BY 1').pluck().all()).toEqual([2, 4, 5, 8, 9, 10]);
    expect(r).toMatchObject({ runs: 4, runCollections: 5 });
  });

  it('never removes the newest run, even with keep-runs 1', () => {
    const db = newDb();
    for (let id = 1; id <= 5; id++) run(db, id, 'success', { users: 'success' });
    pruneHistory(db, { ...POLICY, keepRuns: 1 }, NOW);
    expect(db.prepare('SELECT id FROM runs').pluck().all()).toEqual([5]);
  });
});
