import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { exportCommand } from '../../src/cli/export-command.js';
import { handleError } from '../../src/cli/handle-error.js';
import { captureIo } from '../support/cli-capture.js';

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
  const cap = captureIo(env, cwd ? { cwd } : {});
  let exit = 0;
  const cmd = exportCommand(cap.io, (code) => (exit = code));
  const program = new Command('entra-extract').exitOverride().configureOutput({ writeOut: (s) => cap.io.stdout.write(s), writeErr: (s) => cap.io.stderr.write(s) });
  cmd.exitOverride().configureOutput({ writeOut: (s) => cap.io.stdout.write(s), writeErr: (s) => cap.io.stderr.write(s) });
  program.addCommand(cmd);
  try {
    await program.parseAsync(['node', 'entra-extract', 'export', ...args]);
  } catch (error) {
    exit = handleError(error, { stdout: cap.io.stdout, stderr: cap.io.stderr, json: args.includes('--json') });
  }
  await new Promise((r) => setImmediate(r));
  return { exit, stdout: cap.stdout(), stderr: cap.stderr(), cwd: cap.cwd };
}
