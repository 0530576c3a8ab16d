import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/index.js';

/**
 * The per-link statements run once per change in a delta round: each must find its rows through an
 * index with every known key column, never by walking all links of a relation (a 1% incremental pull
 * of a tenant with a million memberships would otherwise take minutes).
 */
describe('query plans of per-link statements', () => {
  const db = openDatabase(':memory:');
  const plan = (sql: string) => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[]).map((r) => r.detail).join(' | ');
  const cases: [string, RegExp][] = [
    [
      `UPDATE entity_relations INDEXED BY entity_relations_by_target SET deleted_at = 'x'
       WHERE target_type = 'group' AND target_id = 'g' AND relation = 'memberOf' AND source_id = 'u' AND deleted_at IS NULL`,
      /entity_relations_by_target \(relation=\? AND target_type=\? AND target_id=\? AND source_id=\?\)/,
    ],
    [
      `UPDATE entity_relations INDEXED BY entity_relations_by_target SET deleted_at = 'x'
       WHERE target_type = 'group' AND target_id = 'g' AND relation = 'memberOf' AND source_id <> '' AND deleted_at IS NULL`,
      /entity_relations_by_target \(relation=\? AND target_type=\? AND target_id=\?\)/,
    ],
    [
      `UPDATE entity_relations SET deleted_at = 'x'
       WHERE relation = 'reportsTo' AND source_type = 'user' AND source_id = 'u' AND target_id <> 'm' AND deleted_at IS NULL`,
      /PRIMARY KEY \(relation=\? AND source_type=\? AND source_id=\?\)/,
    ],
    [`SELECT data FROM entities WHERE entity_type = 'user' AND id = 'u'`, /\(entity_type=\? AND id=\?\)/],
    // A listing round keeps the links of an object deleted after it was listed (touchAnchorRelations).
    [
      `UPDATE entity_relations INDEXED BY entity_relations_by_target SET last_seen_run = 2
       WHERE target_type = 'group' AND target_id = 'g' AND relation = 'memberOf' AND deleted_at IS NULL`,
      /entity_relations_by_target \(relation=\? AND target_type=\? AND target_id=\?\)/,
    ],
    // A link refreshed or revived by its whole primary key.
    [
      `UPDATE entity_relations SET data = NULL, last_seen_run = 2
       WHERE relation = 'memberOf' AND source_type = 'user' AND source_id = 'u' AND target_type = 'group' AND target_id = 'g' AND scope = ''
         AND deleted_at IS NOT NULL`,
      /PRIMARY KEY \(relation=\? AND source_type=\? AND source_id=\? AND target_type=\? AND target_id=\? AND scope=\?\)/,
    ],
    // A permanently deleted object: its links as source (primary key) and as target (by-target index).
    [
      `UPDATE entity_relations SET deleted_at = 'x'
       WHERE relation IN ('memberOf', 'ownerOf', 'reportsTo') AND source_type = 'user' AND source_id = 'u' AND deleted_at IS NULL`,
      /PRIMARY KEY \(relation=\? AND source_type=\? AND source_id=\?\)/,
    ],
    [
      `UPDATE entity_relations INDEXED BY entity_relations_by_target SET deleted_at = 'x'
       WHERE relation IN ('memberOf', 'ownerOf', 'reportsTo') AND target_type = 'user' AND target_id = 'u' AND deleted_at IS NULL`,
      /entity_relations_by_target \(relation=\? AND target_type=\? AND target_id=\?\)/,
    ],
    // A fan-out parent gone (404): its links to one target, or to every target under an id prefix.
    [
      `UPDATE entity_relations INDEXED BY entity_relations_by_target SET deleted_at = 'x'
       WHERE relation = 'ownerOf' AND target_type = 'servicePrincipal' AND target_id = 's' AND deleted_at IS NULL`,
      /entity_relations_by_target \(relation=\? AND target_type=\? AND target_id=\?\)/,
    ],
    [
      `UPDATE entity_relations INDEXED BY entity_relations_by_target SET deleted_at = 'x'
       WHERE relation = 'hasAppRole' AND target_type = 'appRole' AND target_id >= 's/' AND target_id < 's0' AND deleted_at IS NULL`,
      /entity_relations_by_target \(relation=\? AND target_type=\? AND target_id>\? AND target_id<\?\)/,
    ],
    // Every link written reads its row first by the whole primary key.
    [
      `SELECT data, last_seen_run, deleted_at FROM entity_relations
       WHERE relation = 'memberOf' AND source_type = 'user' AND source_id = 'u' AND target_type = 'group' AND target_id = 'g' AND scope = ''`,
      /PRIMARY KEY \(relation=\? AND source_type=\? AND source_id=\? AND target_type=\? AND target_id=\? AND scope=\?\)/,
    ],
  ];
  for (const [sql, expected] of cases) {
    it(sql.replace(/\s+/g, ' ').slice(0, 90), () => expect(plan(sql)).toMatch(expected));
  }

  it('the repository statements are the ones checked above', async () => {
    const { readFileSync } = await import('node:fs');
    const source = readFileSync(new URL('../../src/store/relations.ts', import.meta.url), 'utf8');
    expect(source.match(/INDEXED BY entity_relations_by_target/g)?.length).toBe(6);
  });
});
