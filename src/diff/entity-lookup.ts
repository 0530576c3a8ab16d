import type { Db } from '../store/index.js';
import { objectKey } from './read-changes.js';

/** What a diff needs of an object's current row: its name and whether (and how) it is deleted now. */
export interface EntityInfo {
  name: string | null;
  deleted_at: string | null;
  deleted_kind: string | null;
}

/**
 * Names both ends of a link and every object a diff mentions: the display_name of its `entities`
 * row, read once per object. An end without a row (a device, an object of a collection not pulled)
 * is `null`: the report still carries its type and id.
 */
export class EntityLookup {
  private readonly cache = new Map<string, EntityInfo | null>();
  private readonly stmt;

  constructor(db: Db) {
    this.stmt = db.prepare('SELECT display_name AS name, deleted_at, deleted_kind FROM entities WHERE entity_type = ? AND id = ?');
  }

  get(type: string, id: string): EntityInfo | null {
    const key = objectKey(type, id);
    let info = this.cache.get(key);
    if (info === undefined) {
      info = (this.stmt.get(type, id) as EntityInfo | undefined) ?? null;
      this.cache.set(key, info);
    }
    return info;
  }

  name(type: string, id: string): string | null {
    return this.get(type, id)?.name ?? null;
  }
}
