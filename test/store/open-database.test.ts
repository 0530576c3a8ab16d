import { mkdtempSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { acquireRunLock, bindTenant, getMeta, isKnownTenant, openDatabase, setMeta } from '../../src/store/index.js';
import { DatabaseError } from '../../src/errors/index.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'ee-store-'));

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DatabaseError);
    return (e as DatabaseError).code;
  }
  return undefined;
}

describe('openDatabase', () => {
  it('creates a new file with mode 0600, in WAL mode, with the contract tables', () => {
    const path = join(tmp(), 'entra.db');
    const db = openDatabase(path);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    const cols = (t: string) => (db.prepare(`PRAGMA table_info(${t})`).all() as { name: string }[]).map((c) => c.name);
    expect(cols('entities')).toEqual(['entity_type', 'id', 'display_name', 'data', 'first_seen_run', 'last_seen_run', 'deleted_at', 'deleted_kind']);
    expect(cols('entity_relations')).toEqual([
      'relation', 'source_type', 'source_id', 'target_type', 'target_id', 'scope', 'data', 'first_seen_run', 'last_seen_run', 'deleted_at',
    ]);
    db.close();
  });

  it('migrates once: reopening applies nothing new and keeps data', () => {
    const path = join(tmp(), 'entra.db');
    let db = openDatabase(path);
    db.prepare("INSERT INTO meta (key, value) VALUES ('x', 'y')").run();
    db.close();
    db = openDatabase(path);
    expect(db.prepare('SELECT COUNT(*) AS n FROM schema_migrations').get()).toEqual({ n: 4 });
    expect(db.prepare("SELECT value FROM meta WHERE key = 'x'").get()).toEqual({ value: 'y' });
    db.close();
  });

  it('refuses a path in a missing folder, naming the folder, and creates nothing', () => {
    const dir = join(tmp(), 'nope');
    expect(codeOf(() => openDatabase(join(dir, 'entra.db')))).toBe('DB_FOLDER_MISSING');
    expect(existsSync(dir)).toBe(false);
  });

  it('refuses a corrupt file and leaves it untouched', () => {
    const path = join(tmp(), 'entra.db');
    writeFileSync(path, 'this is not a database, but somebody cares about it');
    expect(codeOf(() => openDatabase(path))).toBe('DB_CORRUPT');
    expect(statSync(path).size).toBe(51);
  });

  it('refuses a SQLite file that entra-extract did not create (readonly open)', () => {
    const path = join(tmp(), 'other.db');
    const other = new Database(path);
    other.exec('CREATE TABLE t (x)');
    other.close();
    expect(codeOf(() => openDatabase(path, { readonly: true }))).toBe('DB_NOT_OURS');
  });

  const T1 = '11111111-1111-1111-1111-111111111111';
  const T2 = '22222222-2222-2222-2222-222222222222';

  it('refuses a database bound to another tenant', () => {
    const path = join(tmp(), 'entra.db');
    const db = openDatabase(path);
    expect(bindTenant(db, { tenantId: T1, configured: T1 }, path)).toBeUndefined();
    expect(bindTenant(db, { tenantId: T1, configured: T1 }, path)).toBeUndefined();
    expect(codeOf(() => bindTenant(db, { tenantId: T2, configured: T2 }, path))).toBe('DB_OTHER_TENANT');
    // Another tenant even when configured by a name this database has never seen.
    expect(codeOf(() => bindTenant(db, { tenantId: T2, configured: 'fabrikam.onmicrosoft.com' }, path))).toBe('DB_OTHER_TENANT');
    db.close();
  });

  it('binds to the token tenant id: the same tenant by domain name or by GUID is one database', () => {
    const path = join(tmp(), 'entra.db');
    const db = openDatabase(path);
    expect(bindTenant(db, { tenantId: T1, configured: 'contoso.onmicrosoft.com' }, path)).toBeUndefined();
    expect(getMeta(db, 'tenant_id')).toBe(T1);
    expect(bindTenant(db, { tenantId: T1, configured: T1 }, path)).toBeUndefined();
    expect(bindTenant(db, { tenantId: T1, configured: 'CONTOSO.onmicrosoft.com' }, path)).toBeUndefined();
    expect(isKnownTenant(db, 'contoso.onmicrosoft.com')).toBe(true);
    expect(isKnownTenant(db, T1)).toBe(true);
    expect(isKnownTenant(db, 'fabrikam.onmicrosoft.com')).toBe(false);
    db.close();
  });

  it('re-binds a database bound to the configured name (earlier versions) to the tenant id once, with a notice', () => {
    const path = join(tmp(), 'entra.db');
    const db = openDatabase(path);
    setMeta(db, 'tenant_id', 'contoso.onmicrosoft.com');
    const notice = bindTenant(db, { tenantId: T1, configured: 'contoso.onmicrosoft.com' }, path);
    expect(notice).toMatch(/contoso\.onmicrosoft\.com.*11111111-1111-1111-1111-111111111111/);
    expect(getMeta(db, 'tenant_id')).toBe(T1);
    expect(bindTenant(db, { tenantId: T1, configured: 'contoso.onmicrosoft.com' }, path)).toBeUndefined();
    expect(bindTenant(db, { tenantId: T1, configured: T1 }, path)).toBeUndefined();
    db.close();
  });
});

describe('run lock', () => {
  it('lets one run at a time hold a database and frees it on release', () => {
    const path = join(tmp(), 'entra.db');
    const lock = acquireRunLock(path);
    expect(codeOf(() => acquireRunLock(path))).toBe('DB_LOCKED');
    lock.release();
    acquireRunLock(path).release();
  });

  it('is freed by the operating system when the holder is killed with SIGKILL', async () => {
    const path = join(tmp(), 'entra.db');
    const script = `
      const Database = require('better-sqlite3');
      const db = new Database(${JSON.stringify(path + '.lock')}, { timeout: 0 });
      db.pragma('locking_mode = EXCLUSIVE');
      db.exec('CREATE TABLE IF NOT EXISTS holder (pid INTEGER, started_at TEXT)');
      db.exec('BEGIN EXCLUSIVE');
      db.prepare('INSERT INTO holder VALUES (?, ?)').run(process.pid, 'now');
      process.stdout.write('locked\\n');
      setInterval(() => {}, 1000);`;
    const child = spawn(process.execPath, ['-e', script], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    expect(codeOf(() => acquireRunLock(path))).toBe('DB_LOCKED');
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    acquireRunLock(path).release();
  });
});
