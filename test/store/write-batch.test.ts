import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { openDatabase, setMeta, WriteBatch } from '../../src/store/index.js';

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
});
