import { Command, Option } from 'commander';
import { duration, wholeNumber } from './option-parsers.js';
import { loadConfig } from '../config/index.js';
import { DEFAULT_FULL_EVERY_DAYS, DEFAULT_MAX_WAIT_MS, runPull, selectConnectors, type PullSummary } from '../pull/run-pull.js';
import { COLLECTION_NAMES, CONNECTORS } from '../../connectors/index.js';
import { describeError, formatError } from './handle-error.js';
import { formatPullSummary } from './format-pull-summary.js';
import { createProgressReporter } from './progress-reporter.js';
import { signalExitCode, type Io } from './io.js';

export interface PullCommandOptions {
  db?: string;
  json?: boolean;
  full?: boolean;
  only?: string[];
  signInsDays?: number;
  concurrency?: number;
  commitEvery?: number;
  fullEvery?: number;
  maxWait?: number;
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
    .addOption(new Option('--sign-ins-days <n>', 'how far back the first sign-in pull reaches (signIns collection)').argParser(wholeNumber('--sign-ins-days')).default(7))
    .addOption(new Option('--concurrency <n>', 'Graph requests in flight at once').argParser(wholeNumber('--concurrency')).default(4))
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
    .addHelpText(
      'after',
      `
Examples:
  $ entra-extract pull                       # incremental when possible, full otherwise
  $ entra-extract pull --db /var/lib/entra/contoso.db --json
  $ entra-extract pull --only groups --full  # rebuild one collection from scratch
  $ entra-extract pull --full-every 0 --max-wait 30m

Credentials come from the environment or a .env file: AZURE_TENANT_ID, AZURE_CLIENT_ID and
AZURE_CLIENT_SECRET (or AZURE_CLIENT_CERTIFICATE_PATH, or ENTRA_AUTH=managed-identity).
Collections known to the contract: ${COLLECTION_NAMES.join(', ')}.

Exit codes: 0 success, 1 fatal (configuration, authentication, database), 2 usage,
3 partial (some collections failed; every other collection was committed),
130/143 stopped by SIGINT/SIGTERM after committing the pages written so far.`,
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
          onNotice: (text) => reporter.note(`notice: ${text}`),
          onProgress: (p) => reporter.progress(p),
          onTransportEvent: (e) => reporter.transport(e),
        });
      } finally {
        offSignal?.();
        reporter.done();
      }
      printSummary(io, summary, opts.json === true);
      if (summary.outcome === 'interrupted') setExit(signalExitCode(String(stop.signal.reason)));
      else setExit(summary.outcome === 'success' ? 0 : summary.outcome === 'partial' ? 3 : 1);
    });
}

function printSummary(io: Io, summary: PullSummary, json: boolean): void {
  for (const { collection, error } of summary.errors) io.stderr.write(`${collection}: ${formatError(describeError(error))}\n`);
  if (json) {
    const { errors, ...rest } = summary;
    io.stdout.write(`${JSON.stringify({ ok: summary.outcome === 'success', ...rest, errors: errors.map((e) => ({ collection: e.collection, ...describeError(e.error) })) }, null, 2)}\n`);
  } else {
    io.stdout.write(`${formatPullSummary(summary)}\n`);
  }
}
