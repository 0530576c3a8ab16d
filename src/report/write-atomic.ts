import { closeSync, fsyncSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ReportError } from './report-error.js';

/**
 * Writes the file whole or not at all: into a temporary file beside it (mode 0600: it names the
 * tenant's people and apps), flushed to disk, then renamed over the target, so a reader never sees
 * half a report and a failed write leaves the previous one as it was.
 */
export function writeFileAtomic(path: string, content: string): void {
  const folder = dirname(path);
  let isFolder = false;
  try {
    isFolder = statSync(folder).isDirectory();
  } catch {
    isFolder = false;
  }
  if (!isFolder) {
    throw new ReportError('REPORT_OUT_FAILED', `The folder for the report does not exist: ${folder}`, { suggestion: `Create it first (mkdir -p ${folder}) or pass another --out.` });
  }
  try {
    if (statSync(path).isDirectory()) {
      throw new ReportError('REPORT_OUT_FAILED', `${path} is a folder: --out names the report file`, { suggestion: `Pass a file name, e.g. --out ${join(path, 'report.html')}.` });
    }
  } catch (error) {
    if (error instanceof ReportError) throw error;
  }
  const temp = join(folder, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const fd = openSync(temp, 'wx', 0o600);
    try {
      writeSync(fd, content);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch (cause) {
    rmSync(temp, { force: true });
    throw new ReportError('REPORT_OUT_FAILED', `Cannot write the report to ${path}: ${(cause as Error).message}`, { cause, suggestion: 'Check the folder\'s permissions and free space; the previous report, if any, is unchanged.' });
  }
}
