import { Command } from 'commander';
import { toolVersion } from '../pull/run-pull.js';
import { handleError } from './handle-error.js';
import { processIo, type Io } from './io.js';
import { pullCommand } from './pull-command.js';
import { statusCommand } from './status-command.js';
import { demoCommand } from './demo-command.js';

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
  $ entra-extract pull                 # the scheduled run (configure AZURE_* variables first)
  $ entra-extract status               # what the last runs did

See .env.example for every variable, and README.md for the tables and troubleshooting.`,
    );
  for (const cmd of [pullCommand(io, setExit), statusCommand(io), demoCommand(io, setExit)]) {
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
