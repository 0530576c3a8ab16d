import { Command, Option } from 'commander';
import { duration, wholeNumber } from './option-parsers.js';
import { loadConfig } from '../config/index.js';
import { DEFAULT_CONCURRENCY } from '../graph/index.js';
import { DEFAULT_FULL_EVERY_DAYS, DEFAULT_MAX_WAIT_MS, runPull, selectConnectors, type PullSummary } from '../pull/run-pull.js';
import { COLLECTION_NAMES, CONNECTORS } from '../../connectors/index.js';
import { DEFAULT_SIGN_INS_DAYS, DEFAULT_SIGN_INS_OVERLAP_MS, MAX_SIGN_INS_DAYS } from '../../connectors/sign-ins.js';
import { describeError, formatError, type ErrorReport } from './handle-error.js';
import { formatPullSummary } from './format-pull-summary.js';
import { createProgressReporter } from './progress-reporter.js';
import { signalExitCode, type Io } from './io.js';
import { DEFAULT_RETENTION, pruneDatabase, type PruneReport } from '../store/index.js';
import { RunLockedError } from '../errors/index.js';
import { formatPrune } from './prune-command.js';

export interface PullCommandOptions {
  db?: string;
  json?: boolean;
  full?: boolean;
  only?: string[];
  signInsDays?: number;
  signInsOverlap?: number;
  concurrency?: number;
  commitEvery?: number;
  fullEvery?: number;
  maxWait?: number;
  prune?: boolean;
}


export function pullCommand(io: Io, setExit: (code: number) => void): Command {
  return new Command('pull')
    .summary('pull the directory into the database (incremental when delta state exists)')
    .description(
      'The scheduled extraction run. The first run of each collection reads everything (full); ' +
        'later runs read only what changed since, through Graph delta queries. Each page is ' +
        'committed as it arrives, so an interrupted run resumes where it stopped.',
    )
    .option('--db <path>', 'database file (env ENTRA_DB)', undefined)
    .option('--json', 'print the run summary as JSON on stdout')
    .option('--full', 'ignore saved delta state: read everything and mark what is gone as deleted')
    .option(
      '--only <collections>',
      `comma-separated collections (this version: ${CONNECTORS.map((c) => c.name).join(', ')})`,
      (v: string) => v.split(',').map((s) => s.trim()).filter(Boolean),
    )
    .addOption(
      new Option('--sign-ins-days <n>', `how far back the first sign-in window reaches, in days (signIns; Graph keeps ${MAX_SIGN_INS_DAYS})`)
        .argParser(wholeNumber('--sign-ins-days', 1, MAX_SIGN_INS_DAYS))
        .default(DEFAULT_SIGN_INS_DAYS),
    )
    .addOption(
      new Option('--sign-ins-overlap <duration>', 'how far each later sign-in window reaches back over the last one (sign-ins arrive late; duplicates are dropped)')
        .argParser(duration('--sign-ins-overlap'))
        .default(DEFAULT_SIGN_INS_OVERLAP_MS, '60m'),
    )
    .addOption(
      new Option('--concurrency <n>', 'the most Graph requests in flight at once; the pace itself follows the budget Graph allows (learned from its answers), and the concurrency adapts below this')
        .argParser(wholeNumber('--concurrency'))
        .default(DEFAULT_CONCURRENCY),
    )
    .addOption(
      new Option('--commit-every <ms>', 'commit written pages at least this often (0: after every page; a crash re-reads at most this much)')
        .argParser(wholeNumber('--commit-every', 0))
        .default(1000),
    )
    .addOption(
      new Option('--full-every <days>', 'a collection whose last complete full round is older runs a full round on its own, to reconcile what delta missed (0: never)')
        .argParser(wholeNumber('--full-every', 0))
        .default(DEFAULT_FULL_EVERY_DAYS),
    )
    .addOption(
      new Option('--max-wait <duration>', 'the longest Retry-After a collection waits out (600, 90s, 10m, 1h); a longer one fails that collection')
        .argParser(duration('--max-wait'))
        .default(DEFAULT_MAX_WAIT_MS, '10m'),
    )
    .option(
      '--prune',
      `after a successful pull, prune with the defaults (keep ${DEFAULT_RETENTION.keepRuns} runs, ${DEFAULT_RETENTION.changesDays} days of history, ${DEFAULT_RETENTION.signInsDays} days of sign-ins; see prune --help)`,
    )
    .addHelpText(
      'after',
      `
Examples:
  $ entra-extract pull                       # incremental when possible, full otherwise
  $ entra-extract pull --db /var/lib/entra/contoso.db --json
  $ entra-extract pull --only groups --full  # rebuild one collection from scratch
  $ entra-extract pull --only signIns --sign-ins-days 30   # a first sign-in pull of the whole month
  $ entra-extract pull --full-every 0 --max-wait 30m
  $ entra-extract pull --prune               # then delete old history and VACUUM

Credentials come from the environment or a .env file: AZURE_TENANT_ID, AZURE_CLIENT_ID and
AZURE_CLIENT_SECRET or AZURE_CLIENT_SECRET_FILE (or AZURE_CLIENT_CERTIFICATE_PATH, or
AZURE_FEDERATED_TOKEN_FILE for workload identity, or ENTRA_AUTH=managed-identity).
Collections known to the contract: ${COLLECTION_NAMES.join(', ')}.

Exit codes:
  0        success (a collection skipped because the tenant lacks Entra ID P1/P2 counts as success)
  1        fatal: configuration, authentication, database (with --prune: the prune failed
           after a successful pull, which stays committed)
  2        usage error
  3        partial: some collections failed, every other collection was committed
  5        another run holds the database: nothing was done, no request was sent
           (a scheduler whose job overlaps the previous one may simply skip)
  130/143  stopped by SIGINT/SIGTERM after committing the pages written so far`,
    )
    .action(async (opts: PullCommandOptions) => {
      selectConnectors(opts.only); // unknown names are usage errors before anything else happens
      const config = loadConfig({ env: io.env, cwd: io.cwd, flags: { db: opts.db }, require: 'credentials' });
      const reporter = createProgressReporter(io.stderr);
      // First SIGINT/SIGTERM: stop after the page being written, commit, record the run as interrupted.
      // A second one: quit at once (the database stays consistent; at most --commit-every is re-read).
      const stop = new AbortController();
      const offSignal = io.onStopSignal?.((signal) => {
        if (stop.signal.aborted) process.exit(signalExitCode(signal));
        io.stderr.write(`\n${signal}: stopping after the current page (again to quit at once)\n`);
        stop.abort(signal);
      });
      let summary: PullSummary;
      try {
        summary = await runPull({
          signal: stop.signal,
          config,
          full: opts.full,
          only: opts.only,
          concurrency: opts.concurrency,
          commitEveryMs: opts.commitEvery,
          fullEveryDays: opts.fullEvery,
          maxWaitMs: opts.maxWait,
          signInsDays: opts.signInsDays,
          signInsOverlapMs: opts.signInsOverlap,
          onNotice: (text) => reporter.note(`notice: ${text}`),
          onProgress: (p) => reporter.progress(p),
          onTransportEvent: (e) => reporter.transport(e),
        });
      } finally {
        offSignal?.();
        reporter.done();
      }
      // Prune only after a complete pull (history must not go while a collection is behind), and
      // after the pull released its lock: prune takes the lock itself.
      const prune = opts.prune && summary.outcome === 'success' ? pruneAfterPull(summary.database) : undefined;
      printSummary(io, summary, opts.json === true, prune);
      if (summary.outcome === 'interrupted') setExit(signalExitCode(String(stop.signal.reason)));
      else if (summary.outcome === 'success') setExit(pruneFailed(prune) ? 1 : 0);
      else setExit(summary.outcome === 'partial' ? 3 : 1);
    });
}

type PruneOutcome = PruneReport | { skipped: string; error: ErrorReport } | { error: ErrorReport };

/** A prune that failed (not one skipped because another run holds the database). */
const pruneFailed = (p?: PruneOutcome) => p !== undefined && 'error' in p && !('skipped' in p);

function pruneAfterPull(dbPath: string): PruneOutcome {
  try {
    return pruneDatabase(dbPath, DEFAULT_RETENTION);
  } catch (error) {
    // Another run took the database the moment this pull let go of it: prune next time.
    if (error instanceof RunLockedError) return { skipped: 'another run holds the database', error: describeError(error) };
    return { error: describeError(error) };
  }
}

function printSummary(io: Io, summary: PullSummary, json: boolean, prune?: PruneOutcome): void {
  for (const { collection, error } of summary.errors) io.stderr.write(`${collection}: ${formatError(describeError(error))}\n`);
  if (prune && 'error' in prune) io.stderr.write(`prune: ${'skipped' in prune ? `skipped, ${prune.skipped}` : formatError(prune.error)}\n`);
  if (json) {
    const { errors, ...rest } = summary;
    const out = { ok: summary.outcome === 'success' && !pruneFailed(prune), ...rest, errors: errors.map((e) => ({ collection: e.collection, ...describeError(e.error) })) };
    io.stdout.write(`${JSON.stringify(prune ? { ...out, prune } : out, null, 2)}\n`);
  } else {
    io.stdout.write(`${formatPullSummary(summary)}\n`);
    if (prune && !('error' in prune)) io.stdout.write(`${formatPrune(prune)}\n`);
  }
}
