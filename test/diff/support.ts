import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { expect } from 'vitest';
import { diffCommand } from '../../src/cli/diff-command.js';
import { handleError } from '../../src/cli/handle-error.js';
import { captureIo } from '../support/cli-capture.js';

const GOLDEN = join(dirname(fileURLToPath(import.meta.url)), 'golden');

/** Compares text with a golden file; UPDATE_GOLDEN=1 rewrites the file instead. */
export function expectGolden(name: string, text: string): void {
  const file = join(GOLDEN, name);
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(file, text);
  expect(existsSync(file), `${file} missing: run with UPDATE_GOLDEN=1 once and review it`).toBe(true);
  expect(text).toBe(readFileSync(file, 'utf8'));
}

/**
 * Runs `entra-extract diff <args>` in process the way main.ts does once the command is registered:
 * the same exitOverride and the one error handler, so the exit codes are the CLI's.
 */
export async function runDiffCli(args: string[], o: { tty?: boolean; env?: Record<string, string> } = {}) {
  const c = captureIo(o.env ?? {});
  (c.io.stdout as { isTTY?: boolean }).isTTY = o.tty === true;
  let code = 0;
  const output = { writeOut: (s: string) => c.io.stdout.write(s), writeErr: (s: string) => c.io.stderr.write(s) };
  const program = new Command('entra-extract').exitOverride().configureOutput(output);
  program.addCommand(diffCommand(c.io, (n) => (code = n)).exitOverride().configureOutput(output));
  try {
    await program.parseAsync(['node', 'entra-extract', 'diff', ...args]);
  } catch (error) {
    code = handleError(error, { stdout: c.io.stdout, stderr: c.io.stderr, json: args.includes('--json') });
  }
  return { code, stdout: c.stdout(), stderr: c.stderr() };
}
