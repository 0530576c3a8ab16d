import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from './package-root.js';
import { isoNow, type Db } from './sqlite.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** schemas/NNN_name.sql files, in version order. */
export function loadMigrations(dir: string = join(packageRoot(), 'schemas')): Migration[] {
  return readdirSync(dir)
    .map((file) => /^(\d+)_(.+)\.sql$/.exec(file))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ version: Number(m[1]), name: m[2]!, sql: readFileSync(join(dir, m[0]), 'utf8') }))
    .sort((a, b) => a.version - b.version);
}

/**
 * Applies the migrations the database has not seen, each in its own transaction, recording it in
 * schema_migrations. A database newer than this program (unknown versions) is left alone and refused
 * by the caller.
 */
export function migrate(db: Db, migrations: Migration[] = loadMigrations()): { applied: number[]; latest: number } {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`);
  const done = new Set(
    (db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map((r) => r.version),
  );
  const applied: number[] = [];
  for (const m of migrations) {
    if (done.has(m.version)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, isoNow());
    })();
    applied.push(m.version);
  }
  const latest = Math.max(0, ...done, ...applied);
  return { applied, latest };
}
