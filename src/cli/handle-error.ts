import { CommanderError } from 'commander';
import { EntraExtractError, RunLockedError } from '../errors/index.js';

export interface ErrorReport {
  code: string;
  message: string;
  suggestion?: string;
  request?: string;
  requestId?: string;
}

/** The error as words for a person and fields for a script; never a stack, never a secret. */
export function describeError(error: unknown): ErrorReport {
  if (error instanceof EntraExtractError) {
    return {
      code: error.code,
      message: error.message,
      ...(error.suggestion ? { suggestion: error.suggestion } : {}),
      ...(error.request ? { request: error.request } : {}),
      ...(error.requestId ? { requestId: error.requestId } : {}),
    };
  }
  return { code: 'INTERNAL', message: error instanceof Error ? error.message : String(error) };
}

export function formatError(report: ErrorReport): string {
  const lines = [`error: ${report.message}`];
  if (report.request) lines.push(`  request: ${report.request}`);
  if (report.requestId) lines.push(`  Graph request-id: ${report.requestId}`);
  if (report.suggestion) lines.push(`  what to do: ${report.suggestion}`);
  return lines.join('\n');
}

/**
 * The one place that turns an error into output and an exit code (CONTRACT.md section 1):
 * 2 for usage errors, 5 when another run holds the database, 1 for everything fatal. With --json
 * the error object also goes to stdout.
 */
export function handleError(error: unknown, io: { stderr: NodeJS.WritableStream; stdout: NodeJS.WritableStream; json: boolean }): number {
  if (error instanceof CommanderError) {
    // commander already printed its message (unknown option, missing argument, --help).
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return 0;
    return 2; // no command, unknown option, bad option value: usage errors
  }
  const report = describeError(error);
  // A cron job that overlaps the previous one is not a failure: one quiet line, so the scheduler's
  // mail says what happened without looking like an error report.
  if (error instanceof RunLockedError) io.stderr.write(`entra-extract: ${report.message}\n`);
  else io.stderr.write(`${formatError(report)}\n`);
  if (report.code === 'INTERNAL' && error instanceof Error && error.stack && process.env.ENTRA_DEBUG) io.stderr.write(`${error.stack}\n`);
  if (io.json) io.stdout.write(`${JSON.stringify({ ok: false, error: report })}\n`);
  return error instanceof EntraExtractError ? error.exitCode : 1;
}
