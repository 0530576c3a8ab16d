import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { loadMigrations, migrate } from '../../src/store/migrate.js';

describe('migrations', () => {
  it('are applied in version order (not file-name order), once each, and recorded', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ee-mig-'));
    writeFileSync(join(dir, '010_add_column.sql'), 'ALTER TABLE t ADD COLUMN b TEXT;');
    writeFileSync(join(dir, '2_create.sql'), 'CREATE TABLE t (a TEXT);');
    writeFileSync(join(dir, 'README.md'), 'not a migration');
    const migrations = loadMigrations(dir);
    expect(migrations.map((m) => m.version)).toEqual([2, 10]);
    const db = new Database(':memory:');
    expect(migrate(db, migrations)).toEqual({ applied: [2, 10], latest: 10 });
    expect(migrate(db, migrations)).toEqual({ applied: [], latest: 10 });
    expect((db.prepare('PRAGMA table_info(t)').all() as { name: string }[]).map((c) => c.name)).toEqual(['a', 'b']);
  });

  it('a failing migration leaves nothing of itself behind and stops the ones after it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ee-mig-'));
    writeFileSync(join(dir, '1_ok.sql'), 'CREATE TABLE t (a TEXT);');
    writeFileSync(join(dir, '2_bad.sql'), 'CREATE TABLE u (x TEXT); THIS IS NOT SQL;');
    writeFileSync(join(dir, '3_later.sql'), 'CREATE TABLE v (y TEXT);');
    const db = new Database(':memory:');
    expect(() => migrate(db, loadMigrations(dir))).toThrow();
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();
    expect(tables).toEqual(['schema_migrations', 't']);
    expect(db.prepare('SELECT version FROM schema_migrations').pluck().all()).toEqual([1]);
  });
});
