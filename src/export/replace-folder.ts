import { closeSync, existsSync, fsyncSync, lstatSync, mkdirSync, mkdtempSync, openSync, readdirSync, realpathSync, renameSync, rmSync } from 'node:fs';
import { isProcessAlive } from '../store/process-alive.js';
import { basename, dirname, join, resolve } from 'node:path';
import { ExportError } from './export-error.js';

/** A folder being filled beside --out, moved into its place whole by commit(). */
export interface StagedFolder {
  /** The temporary folder to write the files into. */
  dir: string;
  /** The final folder (--out, resolved). */
  out: string;
  /** Replaces --out with the staged folder: the previous export is whole until the last moment. */
  commit(): void;
  /** Removes the staged folder; --out is left as it was. */
  abort(): void;
}

const TMP = 'tmp';
const OLD = 'old';
const partName = (base: string, kind: string, pid: number) => `.${base}.export-${kind}-${pid}-`;

/**
 * Stages an export beside --out (same parent folder, so the moves are renames on one file system).
 * The files are written into `.<out>.export-tmp-<pid>-*`; commit() renames --out to
 * `.<out>.export-old-<pid>-*`, the staged folder to --out, then removes the old one. A crash before
 * commit leaves --out untouched (the staged folder is removed by the next export); a crash between
 * the two renames leaves the previous export whole under its -old- name, which the next export
 * puts back before anything else.
 *
 * --out is the export's own folder: one that holds anything but export files is refused, so that a
 * mistyped --out (the home folder, a project) is never replaced.
 */
export function stageFolder(outPath: string, exportFiles: readonly string[]): StagedFolder {
  const requested = resolve(outPath);
  const base = basename(requested);
  if (base === '' || requested === dirname(requested)) throw refused(requested, 'it is the root of the file system');
  let parent = dirname(requested);
  try {
    mkdirSync(parent, { recursive: true, mode: 0o700 });
    parent = realpathSync(parent);
  } catch (cause) {
    throw writeFailed(`Cannot create the folder ${parent}: ${(cause as Error).message}`, cause);
  }
  const out = join(parent, base);
  restoreInterrupted(parent, base, out);
  checkOut(out, exportFiles);
  removeLeftovers(parent, base);
  let dir: string;
  try {
    dir = mkdtempSync(join(parent, partName(base, TMP, process.pid)));
  } catch (cause) {
    throw writeFailed(`Cannot create a folder beside ${out}: ${(cause as Error).message}`, cause);
  }
  let done = false;
  return {
    dir,
    out,
    commit() {
      try {
        let old: string | undefined;
        if (existsSync(out)) {
          old = `${join(parent, partName(base, OLD, process.pid))}${Date.now().toString(36)}`;
          renameSync(out, old);
        }
        renameSync(dir, out);
        done = true;
        syncFolder(parent);
        if (old) rmSync(old, { recursive: true, force: true });
      } catch (cause) {
        throw writeFailed(`Cannot move the export into ${out}: ${(cause as Error).message}`, cause);
      }
    },
    abort() {
      if (!done) rmSync(dir, { recursive: true, force: true });
    },
  };
}

function checkOut(out: string, exportFiles: readonly string[]): void {
  if (!existsSync(out)) return;
  const st = lstatSync(out);
  if (st.isSymbolicLink()) throw refused(out, 'it is a symbolic link; pass the folder it points to');
  if (!st.isDirectory()) throw refused(out, 'it is a file, not a folder');
  const foreign = readdirSync(out).filter((f) => !exportFiles.includes(f));
  if (foreign.length > 0) {
    throw refused(out, `it holds files an export does not write (${foreign.slice(0, 3).join(', ')}${foreign.length > 3 ? ', ...' : ''})`);
  }
}

/** A previous export left aside by a crash between the two renames of commit(): put it back. */
function restoreInterrupted(parent: string, base: string, out: string): void {
  if (existsSync(out)) return;
  const prefix = `.${base}.export-${OLD}-`;
  const olds = readdirSync(parent).filter((f) => f.startsWith(prefix)).sort();
  const newest = olds.at(-1);
  if (newest) renameSync(join(parent, newest), out);
}

/** Staged folders of exports that died (their process is gone). */
function removeLeftovers(parent: string, base: string): void {
  for (const kind of [TMP, OLD]) {
    const prefix = `.${base}.export-${kind}-`;
    for (const f of readdirSync(parent)) {
      if (!f.startsWith(prefix)) continue;
      const pid = Number(f.slice(prefix.length).split('-')[0]);
      if (Number.isInteger(pid) && pid !== process.pid && isProcessAlive(pid)) continue;
      rmSync(join(parent, f), { recursive: true, force: true });
    }
  }
}


/** The renames themselves reach the disk (a folder's entries are synced through the folder). */
function syncFolder(path: string): void {
  try {
    const fd = openSync(path, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Not every platform can sync a folder; the renames are still atomic.
  }
}

function refused(out: string, why: string): ExportError {
  return new ExportError('EXPORT_OUT_REFUSED', `--out ${out} is not an export folder: ${why}`, {
    suggestion: 'Point --out at a new folder, or at the folder of a previous export (it is replaced as a whole).',
  });
}

function writeFailed(message: string, cause: unknown): ExportError {
  return new ExportError('EXPORT_WRITE_FAILED', message, { cause, suggestion: 'Check that the folder is writable and the disk has free space, then export again.' });
}
