import Database from 'better-sqlite3';

/** The slice of better-sqlite3 the store depends on. */
export type Db = Database.Database;
export { Database };

/** ISO-8601 UTC timestamp, the one time format of the database. */
export function isoNow(now: number = Date.now()): string {
  return new Date(now).toISOString();
}

/** Prepared statements cached per connection, so repositories prepare each SQL text once. */
const cache = new WeakMap<Db, Map<string, Database.Statement>>();

export function stmt(db: Db, sql: string): Database.Statement {
  let perDb = cache.get(db);
  if (!perDb) {
    perDb = new Map();
    cache.set(db, perDb);
  }
  let s = perDb.get(sql);
  if (!s) {
    s = db.prepare(sql);
    perDb.set(sql, s);
  }
  return s;
}
