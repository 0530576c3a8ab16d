import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { runExport, type ExportFormat } from '../../src/export/index.js';
import { buildFixtureDb } from './fixture-tenant.js';

const GOLDEN = join(dirname(fileURLToPath(import.meta.url)), 'golden');
/** UPDATE_GOLDEN=1 rewrites the golden files from this run (review the diff before committing). */
const update = process.env.UPDATE_GOLDEN === '1';

let db: string;
beforeAll(() => {
  db = join(mkdtempSync(join(tmpdir(), 'ee-golden-')), 'fixture.db');
  buildFixtureDb(db);
});

const exportTo = async (format: ExportFormat) => {
  const out = join(mkdtempSync(join(tmpdir(), 'ee-golden-out-')), 'export');
  const report = await runExport({ dbPath: db, out, format });
  return { out, report };
};

describe('golden files of the fixture tenant', () => {
  for (const [format, files] of [['balkanid', ['entities.csv', 'entity_relations.csv']], ['flat', ['access.csv']]] as const) {
    it(`${format}: ${files.join(', ')} equal the golden files, byte for byte, and a second export is byte-identical`, async () => {
      const first = await exportTo(format);
      const second = await exportTo(format);
      for (const file of files) {
        const got = readFileSync(join(first.out, file));
        expect(readFileSync(join(second.out, file)).equals(got), `${file} differs between two exports`).toBe(true);
        const golden = join(GOLDEN, format, file);
        if (update) {
          mkdirSync(dirname(golden), { recursive: true });
          writeFileSync(golden, got);
        }
        expect(got.toString('utf8')).toBe(readFileSync(golden, 'utf8'));
      }
      expect(first.report.files.map((f) => f.file)).toEqual(files);
      // carol is soft-deleted, bob's membership of Group A removed: neither is access
      const all = files.map((f) => readFileSync(join(first.out, f), 'utf8')).join('');
      expect(all).not.toContain('u-carol');
      expect(all).not.toMatch(/u-bob,[^\r]*g-a,/);
    });
  }
});
