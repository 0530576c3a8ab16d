import { Command, InvalidArgumentError, Option } from 'commander';
import { loadConfig } from '../config/index.js';
import { UsageError } from '../errors/index.js';
import { diffDatabase } from '../diff/build-diff.js';
import { DiffError } from '../diff/diff-error.js';
import type { DiffReport } from '../diff/diff-report.js';
import { formatDiffCsv } from '../diff/format-csv.js';
import { formatDiffTable } from '../diff/format-table.js';
import { parseSince, parseUntil } from '../diff/parse-bounds.js';
import { openDatabase } from '../store/index.js';
import type { Io } from './io.js';

export interface DiffOptions {
  /** The database file. */
  dbPath: string;
  /** A run id (its own changes excluded; 0: from the first run) or an ISO-8601 date or time (UTC when it names no zone). */
  since?: string | number;
  /** A run id (its changes included). */
  until?: string | number;
}

/**
 * What changed in a window of the run ledger (README, "diff"), read from the database alone: opened
 * read-only, every read in one read transaction, so a pull writing meanwhile is not half seen.
 */
export async function runDiff(options: DiffOptions): Promise<DiffReport> {
  const since = options.since === undefined ? undefined : parseSince(options.since);
  const until = options.until === undefined ? undefined : parseUntil(options.until);
  const db = openDatabase(options.dbPath, { readonly: true });
  try {
    if (!db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'changes'").get()) {
      throw new DiffError('DIFF_NO_HISTORY', `${options.dbPath} has no change history (it was written by a version before 0.2).`, {
        suggestion: 'Run `entra-extract pull` with this version: history starts with that run.',
      });
    }
    return db.transaction(() => diffDatabase(db, { since, until }))();
  } finally {
    db.close();
  }
}

/** A commander argument parser from one of ours: a bad value is commander's usage error (exit 2). */
function optionParser<T>(parse: (value: string) => T) {
  return (value: string): T => {
    try {
      return parse(value) as T;
    } catch (error) {
      if (error instanceof UsageError) throw new InvalidArgumentError(error.message);
      throw error;
    }
  };
}

interface DiffCommandOptions {
  db?: string;
  json?: boolean;
  since?: string;
  until?: string;
  format?: 'table' | 'csv';
}

export function diffCommand(io: Io, _setExit: (code: number) => void = () => {}): Command {
  return new Command('diff')
    .summary('what changed between runs: access granted and removed, objects created and deleted, review-relevant property changes')
    .description(
      'Reads the change history (the changes table) of a window of runs: every link that became effective access ' +
        '(granted) or stopped being access (removed), in every relation, with both ends named; objects created, ' +
        'deleted (soft, permanent, unseen) and restored; and the property changes a review looks at. A change undone ' +
        'within the window is shown with both times. Needs no credentials: it only reads the database.',
    )
    .option('--since <run|date>', 'start after this run (its own changes excluded; 0 = from the first run) or after this ISO-8601 time (UTC unless it says otherwise); default: the complete run before --until', optionParser((v) => { parseSince(v); return v; }))
    .option('--until <run>', 'end with this run (its changes included); default: the last complete run', optionParser((v) => { parseUntil(v); return v; }))
    .addOption(new Option('--format <format>', 'table (grouped, counts first) or csv (one row per change, RFC 4180); default: table on a terminal, csv otherwise').choices(['table', 'csv']))
    .option('--json', 'print the report as one JSON object on stdout')
    .option('--db <path>', 'database file (env ENTRA_DB)')
    .addHelpText(
      'after',
      `
Examples:
  $ entra-extract diff                          # the last complete run against the complete run before it
  $ entra-extract diff --since 12 --until 15    # runs 13, 14 and 15
  $ entra-extract diff --since 2026-03-01 --format csv > changes.csv
  $ entra-extract diff --json | jq '.granted[] | select(.relation == "hasRole")'

The window holds the changes with run id in (since, until]; with a date, the changes made after it
(up to --until). It must hold at least one complete (success) run. "Effective" is what the view
effective_relations says: a live link whose two ends are not deleted objects, so a soft-deleted
user's links are shown removed (reason source_soft_deleted) and come back granted on restore.
A collection's first round in the window is the starting point of the data: its links are counted
under "First rounds", not listed.

Exit codes:
  0  success (also when nothing changed)
  1  no database, no runs, no complete run in the window, or --since not before --until
  2  usage error (a malformed --since, --until or --format)`,
    )
    .action(async (opts: DiffCommandOptions) => {
      if (opts.json && opts.format) throw new UsageError('--json and --format are two ways to print the report: choose one.');
      const config = loadConfig({ env: io.env, cwd: io.cwd, flags: { db: opts.db }, require: 'database' });
      const report = await runDiff({ dbPath: config.dbPath, since: opts.since, until: opts.until });
      const format = opts.json ? 'json' : opts.format ?? ((io.stdout as { isTTY?: boolean }).isTTY === true ? 'table' : 'csv');
      if (format === 'json') io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      else if (format === 'csv') io.stdout.write(formatDiffCsv(report));
      else io.stdout.write(`${formatDiffTable(report)}\n`);
    });
}
