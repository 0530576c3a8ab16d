import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeEach, describe, expect, it } from 'vitest';
import { runExport } from '../../src/export/index.js';
import { buildFixtureDb } from './fixture-tenant.js';
import { readCsv } from './support.js';

let dir: string;
let db: string;
let out: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ee-atomic-'));
  db = join(dir, 'fixture.db');
  out = join(dir, 'nested', 'export');
  buildFixtureDb(db);
});

const snapshot = (folder: string) => Object.fromEntries(readdirSync(folder).sort().map((f) => [f, readFileSync(join(folder, f), 'utf8')]));
const addUser = (path: string) => {
  const w = new Database(path);
  w.prepare("INSERT INTO entities (entity_type, id, display_name, data, first_seen_run, last_seen_run) VALUES ('user', 'u-zed', 'Zed', '{}', 2, 2)").run();
  w.prepare("INSERT INTO entity_relations (relation, source_type, source_id, target_type, target_id, first_seen_run, last_seen_run) VALUES ('memberOf', 'user', 'u-zed', 'group', 'g-a', 2, 2)").run();
  w.prepare("UPDATE entity_relations SET deleted_at = '2024-03-01T00:00:00.000Z' WHERE relation = 'memberOf' AND source_id = 'u-dave' AND target_id = 'g-b'").run();
  w.close();
};

describe('the export folder is replaced whole or not at all', () => {
  it('creates --out (and its parents) and leaves nothing beside it', async () => {
    const report = await runExport({ dbPath: db, out });
    expect(report.out).toBe(out);
    expect(readdirSync(out).sort()).toEqual(['entities.csv', 'entity_relations.csv']);
    expect(readdirSync(join(dir, 'nested'))).toEqual(['export']);
  });

  it('a failure after the first file leaves the previous export intact and no staged folder behind', async () => {
    await runExport({ dbPath: db, out });
    const before = snapshot(out);
    addUser(db);
    const written: string[] = [];
    await expect(runExport({
      dbPath: db, out,
      onFileWritten: (f) => {
        written.push(f);
        throw new Error('disk pulled out');
      },
    })).rejects.toThrow('disk pulled out');
    expect(written).toHaveLength(1);
    expect(written[0]).toMatch(/entities\.csv$/);
    expect(snapshot(out)).toEqual(before);
    expect(readdirSync(join(dir, 'nested'))).toEqual(['export']);
    // and the next export goes through, with the new data
    await runExport({ dbPath: db, out });
    expect(snapshot(out)['entities.csv']).toContain('u-zed');
  });

  it('switching format replaces the folder: the other format\'s files do not linger', async () => {
    await runExport({ dbPath: db, out });
    await runExport({ dbPath: db, out, format: 'flat' });
    expect(readdirSync(out)).toEqual(['access.csv']);
  });

  it('a crash between the two renames is repaired by the next export: the previous export comes back first', async () => {
    await runExport({ dbPath: db, out });
    const before = snapshot(out);
    // As commit() leaves it when the process dies after moving --out aside (pid 2^22+1 is never alive).
    renameSync(out, join(dir, 'nested', '.export.export-old-4194305-x'));
    // and a staged folder of a dead export
    mkdirSync(join(dir, 'nested', '.export.export-tmp-4194305-abc'));
    await expect(runExport({ dbPath: db, out, onFileWritten: () => { throw new Error('again'); } })).rejects.toThrow('again');
    expect(snapshot(out)).toEqual(before);
    expect(readdirSync(join(dir, 'nested'))).toEqual(['export']);
  });

  it('refuses an --out that holds other files, or is a file, and touches nothing', async () => {
    const foreign = join(dir, 'home');
    mkdirSync(foreign);
    writeFileSync(join(foreign, 'thesis.docx'), 'precious');
    writeFileSync(join(foreign, 'entities.csv'), 'old');
    await expect(runExport({ dbPath: db, out: foreign })).rejects.toMatchObject({ code: 'EXPORT_OUT_REFUSED', exitCode: 1 });
    expect(readFileSync(join(foreign, 'thesis.docx'), 'utf8')).toBe('precious');
    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');
    await expect(runExport({ dbPath: db, out: file })).rejects.toMatchObject({ code: 'EXPORT_OUT_REFUSED' });
    expect(readdirSync(dir).filter((f) => f.startsWith('.'))).toEqual([]);
  });

  it('reads one snapshot: a pull committing while the export writes changes nothing in the files', async () => {
    const reference = join(dir, 'reference');
    await runExport({ dbPath: db, out: reference });
    let wrote = false;
    await runExport({
      dbPath: db, out,
      onFileWritten: () => {
        if (wrote) return;
        wrote = true;
        addUser(db); // committed between entities.csv and entity_relations.csv
      },
    });
    expect(wrote).toBe(true);
    expect(snapshot(out)).toEqual(snapshot(reference));
    // the change is there for the next export
    await runExport({ dbPath: db, out });
    const relations = readCsv(join(out, 'entity_relations.csv'));
    expect(relations.some((r) => r['Parent Entity Source ID'] === 'u-zed')).toBe(true);
    expect(relations.some((r) => r['Parent Entity Source ID'] === 'u-dave' && r['Entity Source ID'] === 'g-b')).toBe(false);
    expect(existsSync(join(out, 'entities.csv'))).toBe(true);
  });
});
