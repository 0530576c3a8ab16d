import { Command, Option } from 'commander';
import { wholeNumber } from './option-parsers.js';
import { loadConfig } from '../config/index.js';
import { DEFAULT_RETENTION, pruneDatabase, type PruneReport } from '../store/index.js';
import type { Io } from './io.js';

const fmt = (n: number) => n.toLocaleString('en-US');
const mb = (bytes: number) => `${(bytes / 1_048_576).toFixed(1)} MB`;

/** What prune removed and the file size before and after, for a person. */
export function formatPrune(r: PruneReport): string {
  const x = r.removed;
  return [
    `Pruned ${r.database} in ${(r.durationMs / 1000).toFixed(1)} s:`,
    `  runs                ${fmt(x.runs).padStart(10)}  (${fmt(x.runCollections)} run_collections rows; the newest ${fmt(r.policy.keepRuns)} runs kept)`,
    `  changes             ${fmt(x.changes).padStart(10)}  (older than ${r.policy.changesDays} days: ${r.cutoffs.history})`,
    `  removed links       ${fmt(x.entityRelations).padStart(10)}  (deleted before ${r.cutoffs.history})`,
    `  removed objects     ${fmt(x.entities).padStart(10)}  (permanently deleted before ${r.cutoffs.history}, no live link)`,
    `  sign-ins            ${(typeof x.signIns === 'number' ? fmt(x.signIns) : x.signIns).padStart(10)}${typeof x.signIns === 'number' ? `  (older than ${r.policy.signInsDays} days)` : ''}`,
    `File size ${mb(r.bytes.before)} before, ${mb(r.bytes.after)} after VACUUM.`,
  ].join('\n');
}

interface PruneOptions {
  db?: string;
  json?: boolean;
  keepRuns: number;
  signInsDays: number;
  changesDays: number;
}

export function pruneCommand(io: Io): Command {
  return new Command('prune')
    .summary('delete old history (runs, changes, removed rows, sign-ins) and give the space back')
    .description(
      'Retention of history. Deletes the oldest runs beyond --keep-runs (never the newest, never one still ' +
        'running), changes older than --changes-days, links and permanently deleted objects removed more than ' +
        '--changes-days ago, and sign-ins older than --sign-ins-days; then VACUUMs the file. Takes the same lock ' +
        'as pull, so it never runs alongside one. Never deletes a live row, a soft-deleted or unseen object, ' +
        'or anything removed more recently than --changes-days.',
    )
    .option('--db <path>', 'database file (env ENTRA_DB)')
    .option('--json', 'print what was removed as JSON on stdout')
    .addOption(new Option('--keep-runs <n>', 'runs kept in the ledger (runs and run_collections)').argParser(wholeNumber('--keep-runs')).default(DEFAULT_RETENTION.keepRuns))
    .addOption(
      new Option('--changes-days <n>', 'days of history kept: changes rows, removed links, permanently deleted objects').argParser(wholeNumber('--changes-days')).default(DEFAULT_RETENTION.changesDays),
    )
    .addOption(new Option('--sign-ins-days <n>', 'days of sign-in events kept (sign_ins, when present)').argParser(wholeNumber('--sign-ins-days')).default(DEFAULT_RETENTION.signInsDays))
    .addHelpText(
      'after',
      `
Examples:
  $ entra-extract prune
  $ entra-extract prune --db /var/lib/entra/contoso.db --changes-days 800 --json
  $ entra-extract pull --prune                 # prune with the defaults after each successful pull

VACUUM rewrites the whole file: while it runs it needs free disk of up to about twice the
database's size (a copy in the temporary directory, TMPDIR or SQLITE_TMPDIR, and the pages it
writes through the WAL beside the database).

Exit codes:
  0  pruned
  1  fatal: no database, not an entra-extract database, or a write failed (the deletions are one
     transaction: all of them or none)
  2  usage error
  5  another run (a pull, a prune) holds the database: nothing done`,
    )
    .action((opts: PruneOptions) => {
      const config = loadConfig({ env: io.env, cwd: io.cwd, flags: { db: opts.db }, require: 'database' });
      const report = pruneDatabase(config.dbPath, { keepRuns: opts.keepRuns, changesDays: opts.changesDays, signInsDays: opts.signInsDays });
      io.stdout.write(opts.json ? `${JSON.stringify({ ok: true, ...report }, null, 2)}\n` : `${formatPrune(report)}\n`);
    });
}
