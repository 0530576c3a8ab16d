import { Command } from 'commander';
import { toolVersion } from '../pull/run-pull.js';
import { handleError } from './handle-error.js';
import { processIo, type Io } from './io.js';
import { pullCommand } from './pull-command.js';
import { statusCommand } from './status-command.js';
import { demoCommand } from './demo-command.js';
import { pruneCommand } from './prune-command.js';
import { backupCommand } from './backup-command.js';
import { checkCommand } from './check-command.js';
import { diffCommand } from './diff-command.js';
import { exportCommand } from './export-command.js';
import { reportCommand } from './report-command.js';

/** Builds the command tree; every command reports through the same error handler. */
export function buildProgram(io: Io, setExit: (code: number) => void): Command {
  const program = new Command('entra-extract')
    .description('Pull a Microsoft Entra ID directory into SQLite for access reviews, incrementally, with Graph delta queries.')
    .version(toolVersion())
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .exitOverride()
    .addHelpText(
      'after',
      `
Examples:
  $ entra-extract demo                 # see it work on a built-in simulated tenant, no credentials
  $ entra-extract check                # before the first pull: which permissions are granted, missing, too many
  $ entra-extract pull                 # the scheduled run (configure AZURE_* variables first)
  $ entra-extract status               # what the last runs did
  $ entra-extract diff                 # what changed between the last two complete runs
  $ entra-extract export --out ./balkanid  # CSV for BalkanID upload; --format flat: one access-review file
  $ entra-extract report --out review.html # the review's findings as one HTML file
  $ entra-extract status --check       # for monitoring: exit 6 when data is stale or a pull failed
  $ entra-extract prune                # delete old history, reclaim space
  $ entra-extract backup --out copy.db # a consistent copy, safe while a pull runs

Exit codes:
  0        success
  1        fatal: bad configuration, authentication failed, database unusable
  2        usage error
  3        partial: some collections failed, every other collection was committed;
           (export --strict) written, but a collection's last pull did not complete
  4        (check) a required permission is missing or a probe failed
  5        another run holds the database (pull, prune): nothing was done; a scheduler may skip
  6        (status --check) data older than --max-age, or a collection whose last pull
           failed or never completed
  130/143  pull stopped by SIGINT/SIGTERM after committing the pages written so far

See .env.example for every variable, and README.md for the tables and troubleshooting.`,
    );
  for (const cmd of [pullCommand(io, setExit), checkCommand(io, setExit), diffCommand(io, setExit), reportCommand(io, setExit), statusCommand(io, setExit), exportCommand(io, setExit), demoCommand(io, setExit), pruneCommand(io), backupCommand(io)]) {
    cmd.exitOverride().configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) }).showHelpAfterError(`(run 'entra-extract ${cmd.name()} --help' for usage)`);
    program.addCommand(cmd);
  }
  return program;
}

/** Runs the CLI and returns the exit code (CONTRACT.md section 1). */
export async function main(argv: string[], io: Io = processIo()): Promise<number> {
  let exit = 0;
  const program = buildProgram(io, (code) => {
    exit = code;
  });
  try {
    await program.parseAsync(argv);
    return exit;
  } catch (error) {
    return handleError(error, { stdout: io.stdout, stderr: io.stderr, json: argv.includes('--json') });
  }
}
