import { stmt, type Db } from '../store/sqlite.js';
import type { LinkKeyParts } from './read-changes.js';

export interface LiveLinkRow extends LinkKeyParts {
  first_seen_run: number | null;
}

/**
 * The live links of one object, as source and as target, in every relation the database holds: the
 * links whose access comes and goes with the object when it is soft-deleted, unseen or restored.
 * Both probes name each relation, so each one seeks in an index that leads with relation.
 */
export function liveLinksOf(db: Db, type: string, id: string): LiveLinkRow[] {
  const relations = relationNames(db);
  if (relations.length === 0) return [];
  const list = relations.map(() => '?').join(', ');
  const cols = 'relation, source_type, source_id, target_type, target_id, scope, first_seen_run';
  const asSource = stmt(
    db,
    `SELECT ${cols} FROM entity_relations WHERE relation IN (${list}) AND source_type = ? AND source_id = ? AND deleted_at IS NULL`,
  ).all(...relations, type, id) as LiveLinkRow[];
  const asTarget = stmt(
    db,
    `SELECT ${cols} FROM entity_relations INDEXED BY entity_relations_by_target
     WHERE relation IN (${list}) AND target_type = ? AND target_id = ? AND deleted_at IS NULL`,
  ).all(...relations, type, id) as LiveLinkRow[];
  return [...asSource, ...asTarget];
}

const relationCache = new WeakMap<Db, string[]>();

/** The distinct relations in entity_relations, one index seek each (read once per connection). */
function relationNames(db: Db): string[] {
  let names = relationCache.get(db);
  if (names) return names;
  const next = db.prepare('SELECT relation FROM entity_relations WHERE relation > ? ORDER BY relation LIMIT 1').pluck();
  names = [];
  for (let r = next.get('') as string | undefined; r !== undefined; r = next.get(r) as string | undefined) names.push(r);
  relationCache.set(db, names);
  return names;
}

/** The run that first read a link, or null when there is no row. */
export function firstSeenRun(db: Db, l: LinkKeyParts): number | null {
  const row = stmt(
    db,
    `SELECT first_seen_run FROM entity_relations
     WHERE relation = ? AND source_type = ? AND source_id = ? AND target_type = ? AND target_id = ? AND scope = ?`,
  ).get(l.relation, l.source_type, l.source_id, l.target_type, l.target_id, l.scope) as { first_seen_run: number | null } | undefined;
  return row?.first_seen_run ?? null;
}
