import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { Io } from '../../src/cli/io.js';

/**
 * An Io for running the CLI in process (`main(argv, io)`) that captures what it prints. `cwd` (where
 * .env is read) defaults to a fresh empty folder; `tty` makes stderr look like a terminal.
 */
export function captureIo(env: Record<string, string | undefined>, options: { cwd?: string; tty?: boolean } = {}) {
  const out = new PassThrough();
  const err = new PassThrough() as unknown as NodeJS.WriteStream;
  (err as { isTTY?: boolean }).isTTY = options.tty === true;
  let stdout = '';
  let stderr = '';
  out.on('data', (d: Buffer) => (stdout += d.toString()));
  (err as unknown as PassThrough).on('data', (d: Buffer) => (stderr += d.toString()));
  const cwd = options.cwd ?? mkdtempSync(join(tmpdir(), 'ee-cli-'));
  const io: Io = { stdout: out, stderr: err, env, cwd };
  return { io, cwd, stdout: () => stdout, stderr: () => stderr };
}

/** The argv `main` expects: node, the script, then the command's words. */
export const cliArgv = (...args: string[]) => ['node', 'entra-extract', ...args];

/**
 * Runs `entra-extract <command> <args>` in process through the real `main`, capturing what it
 * prints; `stdoutTty` makes stdout look like a terminal (commands that pick a format by it).
 */
export async function runCliInProcess(
  command: string,
  args: string[],
  o: { env?: Record<string, string | undefined>; cwd?: string; stdoutTty?: boolean } = {},
) {
  const { main } = await import('../../src/cli/main.js');
  const c = captureIo(o.env ?? {}, o.cwd ? { cwd: o.cwd } : {});
  (c.io.stdout as { isTTY?: boolean }).isTTY = o.stdoutTty === true;
  const code = await main(cliArgv(command, ...args), c.io);
  // Let the PassThrough streams deliver what was written.
  await new Promise((r) => setImmediate(r));
  return { code, stdout: c.stdout(), stderr: c.stderr(), cwd: c.cwd };
}
