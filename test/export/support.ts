import { readFileSync } from 'node:fs';
import { runCliInProcess } from '../support/cli-capture.js';

/**
 * An RFC 4180 reader for the tests (the export writes through csv-stringify; reading back with an
 * independent parser checks the quoting): records split on CRLF outside quotes.
 */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += c;
  }
  if (cell !== '' || row.length > 0) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

/** A CSV file as objects keyed by its header. */
export function readCsv(path: string): Record<string, string>[] {
  const [header, ...rows] = parseCsv(readFileSync(path, 'utf8'));
  return rows.map((r) => Object.fromEntries(header!.map((h, i) => [h, r[i] ?? ''])));
}

/**
 * The export command run in process through a commander program of its own (main.ts registers it
 * later), with the CLI's one error handler: returns the exit code and what it printed.
 */
export async function runExportCli(args: string[], env: Record<string, string | undefined> = {}, cwd?: string) {
  const r = await runCliInProcess('export', args, { env, cwd });
  return { exit: r.code, stdout: r.stdout, stderr: r.stderr, cwd: r.cwd };
}
