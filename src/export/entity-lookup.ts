import type { Statement } from 'better-sqlite3';
import type { Db } from '../store/index.js';

export interface EntityFacts {
  name: string | null;
  /** appRole: the role's value (the permission a token carries); otherwise null. */
  value: string | null;
}

/**
 * Display names (and app role values) of live entities, read one by one by primary key and kept in
 * a bounded cache: the few thousand roles, apps and licenses the flat file names over and over,
 * without loading every entity. First in, first out: a hit changes nothing (refreshing an entry,
 * delete + set, makes the Map rebuild its table over and over: ~100 MB more heap on a large export).
 */
export class EntityLookup {
  private readonly cache = new Map<string, EntityFacts | null>();
  private readonly get: Statement;

  constructor(db: Db, private readonly limit = 50_000) {
    this.get = db.prepare(
      `SELECT display_name AS name, CASE WHEN entity_type = 'appRole' THEN data ->> '$.value' END AS value
       FROM entities WHERE entity_type = ? AND id = ? AND deleted_at IS NULL`,
    );
  }

  /** The live entity's facts, or undefined when there is none (no row, or deleted). */
  find(type: string, id: string): EntityFacts | undefined {
    const key = `${type}|${id}`;
    let facts = this.cache.get(key);
    if (facts === undefined) {
      const row = this.get.get(type, id) as { name: string | null; value: string | null } | undefined;
      facts = row ? { name: row.name, value: typeof row.value === 'string' ? row.value : null } : null;
      if (this.cache.size >= this.limit) this.cache.delete(this.cache.keys().next().value as string);
      this.cache.set(key, facts);
    }
    return facts ?? undefined;
  }
}
