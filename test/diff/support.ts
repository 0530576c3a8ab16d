import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCliInProcess } from '../support/cli-capture.js';
import { expectGoldenIn } from '../support/golden.js';

const GOLDEN = join(dirname(fileURLToPath(import.meta.url)), 'golden');

/** Compares text with a golden file; UPDATE_GOLDEN=1 rewrites the file instead. */
export const expectGolden = (name: string, text: string): void => expectGoldenIn(GOLDEN, name, text);

/**
 * Runs `entra-extract diff <args>` in process the way main.ts does once the command is registered:
 * the same exitOverride and the one error handler, so the exit codes are the CLI's.
 */
export async function runDiffCli(args: string[], o: { tty?: boolean; env?: Record<string, string> } = {}) {
  const r = await runCliInProcess('diff', args, { env: o.env, stdoutTty: o.tty });
  return { code: r.code, stdout: r.stdout, stderr: r.stderr };
}
