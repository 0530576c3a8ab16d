import { Command, Option } from 'commander';
import { duration } from './option-parsers.js';
import { loadConfig } from '../config/index.js';
import { selectConnectors } from '../pull/run-pull.js';
import { DEFAULT_CHECK_MAX_WAIT_MS, formatCheckReport, runCheck, type CheckReport } from '../check/index.js';
import { COLLECTION_NAMES, CONNECTORS } from '../../connectors/index.js';
import { signalExitCode, type Io } from './io.js';

export interface CheckCommandOptions {
  json?: boolean;
  only?: string[];
  maxWait?: number;
}

/** CONTRACT.md section 1: 0 every checked collection can be pulled, 4 a permission is missing or a probe failed, 1 no token. */
export function checkExitCode(report: CheckReport): number {
  switch (report.outcome) {
    case 'ok':
      return 0;
    case 'cannot-pull':
      return 4;
    case 'no-token':
      return 1;
  }
}

export function checkCommand(io: Io, setExit: (code: number) => void): Command {
  return new Command('check')
    .summary('check that the app can pull every collection: its token, its permissions, a live probe of each Graph endpoint, and what to fix')
    .description(
      'A one-off permission check. It signs in with the configured credentials, shows the tenant, app, cloud, hosts, ' +
        "credential type and the application permissions in the token's roles claim, then, for each collection, the " +
        'least-privileged permission it needs, the higher ones that also work and whether one is granted, and probes it ' +
        'with the request a pull makes first (made as cheap as possible, all in parallel), and, for the collections whose full ' +
        'rounds read by plain listing, with those listing requests too. It flags permissions the app ' +
        'holds but this tool does not need (write permissions above all), recommends the smallest set of permissions, and ' +
        'prints how to grant what is missing. It opens no database and writes nothing.',
    )
    .option('--json', 'print the report as one JSON object on stdout')
    .option('--db <path>', 'accepted like every command takes it; check never opens or creates a database')
    .option(
      '--only <collections>',
      `comma-separated collections to check (this version: ${CONNECTORS.map((c) => c.name).join(', ')})`,
      (v: string) => v.split(',').map((s) => s.trim()).filter(Boolean),
    )
    .addOption(
      new Option('--max-wait <duration>', 'the longest Retry-After a probe waits out (30s, 2m); a longer one fails that probe as throttled')
        .argParser(duration('--max-wait'))
        .default(DEFAULT_CHECK_MAX_WAIT_MS, '1m'),
    )
    .addHelpText(
      'after',
      `
Examples:
  $ entra-extract check                          # the whole check, as a table
  $ entra-extract check --only users,groups      # just these collections
  $ entra-extract check --json > check.json      # for scripts: {ok, outcome, setup, token, collections, extra,
                                                 #   recommendation, fix, warnings, notes}

What it checks:
  - a token can be had with the configured credentials (AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET
    or a certificate, workload identity or ENTRA_AUTH=managed-identity); if not, why, in an administrator's terms
    (wrong or expired secret, certificate not uploaded, wrong tenant or cloud, app deleted) with the AADSTS code;
  - the token's roles claim: no roles claim means no application permission has admin consent;
  - per collection: the least-privileged permission, the higher ones that also work, optional ones (warnings);
  - a live probe per collection: ok, forbidden, requires Entra ID P1/P2 (a warning, not a failure), throttled
    (still throttled after retries: failed) or error, with Graph's code and request-id. Where the probe and the
    roles claim disagree, the probe wins (consent can take minutes to reach tokens);
  - users, groups, administrativeUnits, directoryRoles: what a full round reads instead of the delta chain (the
    listing with $top=1, then the first object's members and owners: the "full round:" lines); Graph refusing one
    is a warning, since those full rounds then read the slower delta chain with the same result;
  - permissions held but not needed, write permissions first; the smallest least-privileged set to grant;
  - how to fix: the portal path and az commands (for a managed identity: the app role assignment to make).
No secret, token or credential is printed. Collections: ${COLLECTION_NAMES.join(', ')}.

Exit codes:
  0  every checked collection can be pulled (one that needs Entra ID P1/P2 on a tenant without it is a warning)
  1  no token could be had (or the configuration is incomplete)
  2  usage error (unknown option or collection)
  4  a required permission is missing or a probe failed`,
    )
    .action(async (opts: CheckCommandOptions) => {
      selectConnectors(opts.only); // an unknown collection is a usage error before anything else happens
      const config = loadConfig({ env: io.env, cwd: io.cwd, require: 'credentials' });
      const stop = new AbortController();
      const offSignal = io.onStopSignal?.((signal) => stop.abort(signal));
      let report: CheckReport;
      try {
        report = await runCheck({ config, only: opts.only, retry: { maxWaitMs: opts.maxWait }, signal: stop.signal });
      } finally {
        offSignal?.();
      }
      // Stopped by SIGINT/SIGTERM: the probes cut short say nothing about permissions.
      const code = stop.signal.aborted ? signalExitCode(String(stop.signal.reason)) : checkExitCode(report);
      io.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatCheckReport(report, code)}\n`);
      setExit(code);
    });
}
