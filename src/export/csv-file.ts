import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { stringify } from 'csv-stringify/sync';
import { neutralise } from './neutralise.js';

export interface CsvFileOptions {
  /**
   * Columns holding a JSON object, written as they are: a cell that starts with `{` is never run as
   * a formula, and changing a value inside would change the data (schemas/export.md).
   */
  jsonColumns?: readonly number[];
  /** Rows turned into text and written together; bounds the memory a file holds (default 1,000). */
  batchRows?: number;
}

export interface CsvFileResult {
  file: string;
  rows: number;
  bytes: number;
}

/**
 * One CSV file written as rows arrive: RFC 4180 by csv-stringify (quotes around a cell holding a
 * comma, a quote or a line break, quotes doubled, CRLF between records), UTF-8 without a byte order
 * mark, the header first. Every text cell is neutralised against formula injection. Rows are
 * written synchronously in batches, so the file never holds more than one batch in memory and the
 * rows can come straight from a SQLite cursor.
 */
export class CsvFile {
  private readonly fd: number;
  private readonly json: ReadonlySet<number>;
  private readonly batchRows: number;
  private batch: string[][] = [];
  private rows = 0;
  private bytes = 0;
  private closed = false;

  constructor(readonly path: string, readonly header: readonly string[], options: CsvFileOptions = {}) {
    this.json = new Set(options.jsonColumns ?? []);
    this.batchRows = options.batchRows ?? 1000;
    // Owner-only, like the database: the export holds the directory.
    this.fd = openSync(path, 'wx', 0o600);
    this.put(stringify([header as string[]], STRINGIFY));
  }

  /** Adds a row; null and undefined cells are written empty. */
  write(row: readonly (string | null | undefined)[]): void {
    const cells = new Array<string>(row.length);
    for (let i = 0; i < row.length; i++) {
      const v = row[i] ?? '';
      cells[i] = this.json.has(i) ? v : neutralise(v);
    }
    this.batch.push(cells);
    this.rows++;
    if (this.batch.length >= this.batchRows) this.flush();
  }

  /** Writes what is left, syncs the file to disk and closes it. */
  close(): CsvFileResult {
    this.flush();
    fsyncSync(this.fd);
    this.closed = true;
    closeSync(this.fd);
    return { file: this.path, rows: this.rows, bytes: this.bytes };
  }

  /** Closes the file after a failure; the folder it is in is thrown away. */
  abort(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      closeSync(this.fd);
    } catch {
      // already failing: the first error is the one reported
    }
  }

  private flush(): void {
    if (this.batch.length === 0) return;
    const text = stringify(this.batch, STRINGIFY);
    this.batch = [];
    this.put(text);
  }

  private put(text: string): void {
    const buf = Buffer.from(text, 'utf8');
    let off = 0;
    while (off < buf.length) off += writeSync(this.fd, buf, off, buf.length - off);
    this.bytes += buf.length;
  }
}

/** RFC 4180: CRLF between records (https://www.rfc-editor.org/rfc/rfc4180#section-2). */
const STRINGIFY = { record_delimiter: 'windows' as const, eof: true };
