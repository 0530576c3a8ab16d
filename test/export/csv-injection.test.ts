import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CsvFile } from '../../src/export/csv-file.js';
import { neutralise } from '../../src/export/neutralise.js';
import { runExport } from '../../src/export/index.js';
import { buildFixtureDb } from './fixture-tenant.js';
import { parseCsv } from './support.js';

const FORMULA = /^[=+\-@\t\r]/;

describe('formula injection and RFC 4180', () => {
  it('neutralises a cell that starts with = + - @ tab or carriage return, and nothing else', () => {
    for (const c of ['=1+1', '+1', '-1', '@SUM(A1)', '\tx', '\rx']) expect(neutralise(c)).toBe(`'${c}`);
    for (const c of ['', 'a=1', ' =1', "'=1", '{"a":"=1"}', 'via =x', '2024-01-01T00:00:00Z']) expect(neutralise(c)).toBe(c);
  });

  it('writes quotes, commas, line breaks and non-ASCII text that read back exactly; JSON cells are left as they are', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ee-csv-'));
    const path = join(dir, 'x.csv');
    const json = JSON.stringify({ name: '=HYPERLINK("x")', note: 'a,b\r\n"c"' });
    const cells = ['a,b', 'say "hi"', 'line\r\nbreak', 'lone\nlf', 'Ünïcødé 日本', '=cmd', '-5', json];
    const file = new CsvFile(path, ['c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7', 'json'], { jsonColumns: [7], batchRows: 2 });
    file.write(cells);
    file.write([null, undefined, '', '', '', '', '', '{}']);
    file.write(cells);
    const result = file.close();
    const bytes = readFileSync(path);
    expect(result).toEqual({ file: path, rows: 3, bytes: bytes.length });
    expect(bytes.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf]))).toBe(false); // no byte order mark
    const text = bytes.toString('utf8');
    expect(text.endsWith('\r\n')).toBe(true);
    const back = parseCsv(text);
    const expected = ['a,b', 'say "hi"', 'line\r\nbreak', 'lone\nlf', 'Ünïcødé 日本', "'=cmd", "'-5", json];
    expect(back).toEqual([['c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7', 'json'], expected, ['', '', '', '', '', '', '', '{}'], expected]);
    expect(JSON.parse(back[1]![7]!)).toEqual({ name: '=HYPERLINK("x")', note: 'a,b\r\n"c"' });
  });

  it('in every file of both formats, no text cell starts a formula and every Metadata cell is a JSON object', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ee-inj-'));
    buildFixtureDb(join(dir, 'fixture.db'));
    await runExport({ dbPath: join(dir, 'fixture.db'), out: join(dir, 'b') });
    await runExport({ dbPath: join(dir, 'fixture.db'), out: join(dir, 'f'), format: 'flat' });
    let neutralised = 0;
    for (const sub of ['b', 'f']) {
      for (const name of readdirSync(join(dir, sub))) {
        const [header, ...rows] = parseCsv(readFileSync(join(dir, sub, name), 'utf8'));
        const meta = header!.indexOf('Metadata');
        for (const row of rows) {
          expect(row).toHaveLength(header!.length);
          row.forEach((cell, i) => {
            if (i === meta) expect(typeof JSON.parse(cell)).toBe('object');
            else expect(cell, `${name}: ${header![i]}`).not.toMatch(FORMULA);
            if (cell.startsWith("'")) neutralised++;
          });
        }
      }
    }
    expect(neutralised).toBeGreaterThanOrEqual(6); // bob, the app, the role, @Inner, in both formats
    const entities = readFileSync(join(dir, 'b', 'entities.csv'), 'utf8');
    expect(entities).toContain('"\'=HYPERLINK(""https://evil.test"",""Bob"")"');
    expect(entities).toContain('""jobTitle"":""+1 Engineer""'); // inside JSON: unchanged
  });
});
