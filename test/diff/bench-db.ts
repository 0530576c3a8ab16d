import {
  finishRun, markEntityDeleted, markRelationDeleted, openDatabase, startRun, upsertEntity, upsertRelation, type RelationScope,
} from '../../src/store/index.js';

export interface BenchSize {
  users: number;
  groups: number;
  /** Memberships per user: users × perUser links. */
  perUser: number;
  /** The share of memberships removed (and as many added) and of users changed by the second run (0.01: 1%). */
  fraction: number;
}

const memberOf: RelationScope = { relation: 'memberOf', anchor: 'target', anchorType: 'group' };
const uid = (i: number) => `${i.toString(16).padStart(8, '0')}-0000-4000-8000-000000000001`;
const gid = (i: number) => `${i.toString(16).padStart(8, '0')}-0000-4000-8000-000000000002`;
/** User i's k-th group: distinct for k < groups / gcd(37, groups). */
const groupOf = (i: number, k: number, groups: number) => (i * 7 + k * 37) % groups;

/**
 * A benchmark database in seconds rather than a pull's minutes: run 1 is a first round written with
 * SQL as a pull writes it (objects with one `created` change each, links covered by `baseline` rows);
 * run 2 changes `fraction` of it through the store's own functions, as a delta pull would: memberships
 * removed and added, job titles changed, users soft-deleted (their links stop being access), users
 * created into a group. Returns the number of changes run 2 wrote.
 */
export function buildBenchDb(path: string, s: BenchSize): { run2Changes: number; links: number } {
  const db = openDatabase(path);
  try {
    const t1 = Date.parse('2026-01-01T02:00:00.000Z');
    const run1 = startRun(db, 'pull', 'bench', t1);
    const at1 = new Date(t1 + 60_000).toISOString();
    db.transaction(() => {
      const seq = (n: number) => `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${n - 1})`;
      const hex = (col: string, suffix: string) => `printf('%08x-0000-4000-8000-00000000000${suffix}', ${col})`;
      db.prepare(`${seq(s.users)} INSERT INTO entities (entity_type, id, display_name, data, first_seen_run, last_seen_run)
        SELECT 'user', ${hex('i', '1')}, 'User ' || i,
          json_object('displayName', 'User ' || i, 'accountEnabled', json('true'), 'userType', 'Member', 'jobTitle', 'Engineer', 'department', 'IT'), ?, ? FROM n`).run(run1, run1);
      db.prepare(`${seq(s.groups)} INSERT INTO entities (entity_type, id, display_name, data, first_seen_run, last_seen_run)
        SELECT 'group', ${hex('i', '2')}, 'Group ' || i, json_object('displayName', 'Group ' || i), ?, ? FROM n`).run(run1, run1);
      db.prepare(`INSERT INTO changes (run_id, at, kind, entity_type, entity_id) SELECT ?, ?, 'created', entity_type, id FROM entities`).run(run1, at1);
      db.prepare("INSERT INTO changes (run_id, at, kind, relation, target_type) VALUES (?, ?, 'baseline', 'memberOf', 'group')").run(run1, at1);
      // The target index is built after the rows: a first pull pays for it row by row, a benchmark need not.
      db.exec('DROP INDEX entity_relations_by_target');
      db.prepare(`${seq(s.users)}, k(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM k WHERE j < ${s.perUser - 1})
        INSERT INTO entity_relations (relation, source_type, source_id, target_type, target_id, scope, first_seen_run, last_seen_run)
        SELECT 'memberOf', 'user', ${hex('i', '1')}, 'group', ${hex(`(i * 7 + j * 37) % ${s.groups}`, '2')}, '', ?, ? FROM n, k ORDER BY 3, 5`).run(run1, run1);
      db.exec('CREATE INDEX entity_relations_by_target ON entity_relations (relation, target_type, target_id, source_id)');
    })();
    finishRun(db, run1, 'success', { requests: 0, throttled: 0, retries: 0 }, undefined, t1 + 600_000);

    const t2 = Date.parse('2026-01-02T02:00:00.000Z');
    const run2 = startRun(db, 'pull', 'bench', t2);
    const before = db.prepare('SELECT COUNT(*) FROM changes').pluck().get() as number;
    db.transaction(() => {
      const stamp = { runId: run2, at: new Date(t2 + 60_000).toISOString() };
      const changedLinks = Math.round(s.fraction * s.users * s.perUser);
      const step = Math.max(1, Math.floor(s.users / changedLinks));
      for (let n = 0, i = 0; n < changedLinks; n++, i = (i + step) % s.users) {
        markRelationDeleted(db, memberOf, gid(groupOf(i, 0, s.groups)), uid(i), stamp);
        upsertRelation(db, { relation: 'memberOf', sourceType: 'user', sourceId: uid(i), targetType: 'group', targetId: gid(groupOf(i, s.perUser, s.groups)) }, undefined, stamp);
      }
      const changedUsers = Math.round(s.fraction * s.users);
      for (let n = 0; n < changedUsers; n++) {
        upsertEntity(db, { entityType: 'user', id: uid((n * 97) % s.users), data: { jobTitle: n % 2 ? 'Lead' : 'Director' }, merge: true }, stamp);
      }
      for (let n = 0; n < changedUsers / 10; n++) markEntityDeleted(db, 'user', uid((n * 101 + 13) % s.users), 'soft', stamp);
      for (let n = 0; n < changedUsers / 10; n++) {
        const id = uid(s.users + n);
        upsertEntity(db, { entityType: 'user', id, data: { displayName: `New ${n}`, accountEnabled: true, userType: 'Guest' }, merge: false }, stamp);
        upsertRelation(db, { relation: 'memberOf', sourceType: 'user', sourceId: id, targetType: 'group', targetId: gid(n % s.groups) }, undefined, stamp);
      }
    })();
    finishRun(db, run2, 'success', { requests: 0, throttled: 0, retries: 0 }, undefined, t2 + 600_000);
    db.pragma('wal_checkpoint(TRUNCATE)');
    return {
      run2Changes: (db.prepare('SELECT COUNT(*) FROM changes').pluck().get() as number) - before,
      links: db.prepare('SELECT COUNT(*) FROM entity_relations').pluck().get() as number,
    };
  } finally {
    db.close();
  }
}
