import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { openDatabase, setMeta, WriteBatch } from '../../src/store/index.js';
import { DatabaseError } from '../../src/errors/index.js';

const count = (db: Database.Database) => (db.prepare('SELECT COUNT(*) AS n FROM meta').get() as { n: number }).n;

describe('WriteBatch', () => {
  it('keeps pages in one transaction until maxMs has passed, then commits them together', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'ee-batch-')), 'entra.db');
    const db = openDatabase(path);
    const reader = new Database(path, { readonly: true });
    let t = 0;
    const batch = new WriteBatch(db, 500, () => t);
    batch.write(() => setMeta(db, 'a', '1'));
    batch.maybeCommit();
    expect(count(reader)).toBe(0); // not yet visible to another connection
    t = 499;
    batch.write(() => setMeta(db, 'b', '1'));
    batch.maybeCommit();
    expect(count(reader)).toBe(0);
    t = 500;
    batch.maybeCommit();
    expect(count(reader)).toBe(2);
    expect(db.inTransaction).toBe(false);
    reader.close();
    db.close();
  });

  it('a page that fails is undone alone; the pages before it stay in the batch', () => {
    const db = openDatabase(':memory:');
    const batch = new WriteBatch(db, 10_000);
    batch.write(() => setMeta(db, 'a', '1'));
    expect(() =>
      batch.write(() => {
        setMeta(db, 'b', '1');
        throw new Error('mapping failed');
      }),
    ).toThrow('mapping failed');
    batch.commit();
    expect(db.prepare('SELECT key FROM meta ORDER BY key').pluck().all()).toEqual(['a']);
  });

  it('with maxMs 0 every page commits on its own', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'ee-batch-')), 'entra.db');
    const db = openDatabase(path);
    const reader = new Database(path, { readonly: true });
    const batch = new WriteBatch(db);
    batch.write(() => setMeta(db, 'a', '1'));
    batch.maybeCommit();
    expect(count(reader)).toBe(1);
    reader.close();
    db.close();
  });

  it('a failed COMMIT rolls the batch back and breaks it: every later write and commit throws the same DatabaseError', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'ee-batch-')), 'entra.db');
    const db = openDatabase(path);
    const reader = new Database(path, { readonly: true });
    // A real COMMIT failure: with deferred foreign keys a dangling reference is only refused at COMMIT.
    db.pragma('defer_foreign_keys = ON');
    const batch = new WriteBatch(db, 10_000);
    batch.write(() => setMeta(db, 'page', '1'));
    batch.write(() => db.prepare("INSERT INTO run_collections (run_id, collection, mode, started_at) VALUES (999, 'users', 'full', 'x')").run());
    let error: unknown;
    try {
      batch.commit();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DatabaseError);
    expect((error as DatabaseError).code).toBe('DB_COMMIT_FAILED');
    expect(db.inTransaction).toBe(false);
    expect(count(reader)).toBe(0); // nothing of the batch was kept
    expect(() => batch.write(() => setMeta(db, 'later', '1'))).toThrow(error as Error);
    expect(() => batch.commit()).toThrow(error as Error);
    expect(batch.failure).toBe(error);
    reader.close();
    db.close();
  });

  it('an ordinary error inside one unit rolls back that unit only; the batch goes on', () => {
    const db = openDatabase(':memory:');
    const batch = new WriteBatch(db, 10_000);
    batch.write(() => setMeta(db, 'a', '1'));
    expect(() => batch.write(() => {
      setMeta(db, 'b', '1');
      throw new Error('mapping bug');
    })).toThrow('mapping bug');
    batch.commit();
    expect(count(db)).toBe(1);
    expect(batch.failure).toBeUndefined();
  });
});
