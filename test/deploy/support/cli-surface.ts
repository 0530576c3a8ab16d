import { PassThrough } from 'node:stream';
import { Command, CommanderError } from 'commander';
import { buildProgram } from '../../../src/cli/main.js';
import type { Io } from '../../../src/cli/io.js';
import { cliScript } from './repo.js';

/**
 * What the CLI really accepts, read from the commander program the binary runs (buildProgram), so a
 * recipe that names a command or option the CLI does not have fails here, whatever the docs say.
 */

function quietIo(): Io {
  const sink = new PassThrough();
  sink.resume();
  return { stdout: sink, stderr: sink as unknown as NodeJS.WriteStream, env: {}, cwd: '/nonexistent' };
}

function program(): Command {
  return buildProgram(quietIo(), () => {});
}

/** Command name -> its long options (`--db`, `--json`, ...), from program.commands and each command's options. */
export function cliSurface(): Map<string, Set<string>> {
  const surface = new Map<string, Set<string>>();
  for (const cmd of program().commands) {
    surface.set(cmd.name(), new Set(cmd.options.map((o) => o.long).filter((l): l is string => l !== undefined)));
  }
  return surface;
}

/** Problems with an invocation by name alone: unknown command, unknown long options. Empty when fine. */
export function unknownNames(args: readonly string[]): string[] {
  const surface = cliSurface();
  const [command, ...rest] = args;
  if (command === undefined) return ['no command given'];
  const options = surface.get(command);
  if (!options) return [`no command "${command}" (the CLI has: ${[...surface.keys()].join(', ')})`];
  return rest
    .filter((a) => a.startsWith('--'))
    .map((a) => a.split('=')[0]!)
    .filter((flag) => flag !== '--help' && !options.has(flag))
    .map((flag) => `"${command}" has no option ${flag} (it has: ${[...options].join(' ')})`);
}

export interface ParsedInvocation {
  command: string;
  options: Record<string, unknown>;
}

/**
 * Parses `args` (what follows the binary) with the CLI's own commander program, every action replaced
 * by a no-op: unknown commands and options, missing or invalid option values (a duration, a number) and
 * stray arguments throw as they would at the command line, and nothing runs.
 */
export async function parseWithCli(args: readonly string[]): Promise<ParsedInvocation> {
  const root = program();
  let ran: Command | undefined;
  for (const cmd of root.commands) {
    cmd.action((...actionArgs: unknown[]) => {
      ran = actionArgs[actionArgs.length - 1] as Command;
    });
  }
  try {
    await root.parseAsync(['node', 'entra-extract', ...args]);
  } catch (error) {
    if (error instanceof CommanderError) throw new Error(`entra-extract ${args.join(' ')}: ${error.message} (${error.code})`);
    throw error;
  }
  if (!ran) throw new Error(`entra-extract ${args.join(' ')}: no command ran`);
  return { command: ran.name(), options: ran.opts() };
}

/**
 * The CLI's arguments in a command line given as words, or undefined when the words do not run the CLI:
 * `entra-extract ARGS`, `/usr/local/bin/entra-extract ARGS`, `exec entra-extract ARGS`,
 * `node /app/bin/entra-extract.js ARGS` (the script package.json "bin" names).
 */
export function cliArgs(words: readonly string[]): string[] | undefined {
  let w = [...words];
  if (w[0] === 'exec') w = w.slice(1);
  const first = w[0];
  if (first === undefined) return undefined;
  const base = first.split('/').pop();
  if (base === 'entra-extract') return w.slice(1);
  if ((base === 'node' || base === 'nodejs') && w[1] !== undefined && w[1].endsWith(cliScript())) return w.slice(2);
  return undefined;
}
