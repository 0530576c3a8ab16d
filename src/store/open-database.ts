import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DatabaseError } from '../errors/index.js';
import { loadMigrations, migrate } from './migrate.js';
import { Database, type Db } from './sqlite.js';

export interface OpenOptions {
  /** Open without creating or migrating (status). */
  readonly?: boolean;
}

const SQLITE_HEADER = 'SQLite format 3\0';

/**
 * Opens (creating with mode 0600 when new) and migrates the database. Every way this can fail is
 * turned into a DatabaseError that names the file and says what to do; nothing is overwritten.
 */
export function openDatabase(path: string, options: OpenOptions = {}): Db {
  const memory = path === ':memory:';
  if (!memory) checkFile(path, options);
  let db: Db;
  try {
    db = new Database(path, { readonly: options.readonly === true, fileMustExist: options.readonly === true });
  } catch (cause) {
    throw new DatabaseError('DB_OPEN_FAILED', `Cannot open the database ${path}: ${(cause as Error).message}`, { cause });
  }
  try {
    // WAL: readers (status) never block the pull; synchronous=NORMAL keeps every committed page across a
    // process crash (SIGKILL), only an OS crash can lose the last transactions, never consistency.
    // https://www.sqlite.org/wal.html
    if (!options.readonly) {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
    }
    db.pragma('busy_timeout = 5000');
    // Links are keyed by random GUIDs, so inserts land all over the B-trees: a 32 MiB page cache
    // (the default is 2 MiB) keeps most of them in memory instead of re-reading pages from the OS.
    // Measured on the benchmark tenant (every collection): 64 MiB put the pull at 300-320 MB peak RSS
    // for no gain in wall time that the shared machine could tell apart; 32 MiB keeps it near 285 MB.
    db.pragma('cache_size = -32768');
    // Checkpoints are where WAL mode syncs to disk; a full pull writes hundreds of MB, so let the WAL
    // grow to ~40 MB between checkpoints instead of 4 MB (fewer, larger syncs).
    if (!options.readonly) db.pragma('wal_autocheckpoint = 10000');
    db.pragma('foreign_keys = ON');
    const migrations = loadMigrations();
    if (!options.readonly) {
      migrate(db, migrations);
    }
    checkVersion(db, path, migrations.at(-1)?.version ?? 0);
    return db;
  } catch (cause) {
    db.close();
    if (cause instanceof DatabaseError) throw cause;
    const message = (cause as Error).message;
    if (/not a database|malformed|file is encrypted/i.test(message)) throw corrupt(path, cause);
    throw new DatabaseError('DB_OPEN_FAILED', `Cannot use the database ${path}: ${message}`, { cause });
  }
}

/** Fails with DB_FOLDER_MISSING (naming the folder) when the database's folder does not exist. */
export function assertFolderExists(path: string): void {
  const folder = dirname(resolve(path));
  if (!existsSync(folder) || !statSync(folder).isDirectory()) {
    throw new DatabaseError('DB_FOLDER_MISSING', `The folder for the database does not exist: ${folder}`, {
      suggestion: `Create it first (mkdir -p ${folder}) or point --db / ENTRA_DB at an existing folder.`,
    });
  }
}

function checkFile(path: string, options: OpenOptions): void {
  const full = resolve(path);
  assertFolderExists(full);
  if (!existsSync(full)) {
    if (options.readonly) {
      throw new DatabaseError('DB_MISSING', `No database at ${full}`, {
        suggestion: 'Run `entra-extract pull` (or `entra-extract demo`) first, or pass the right --db.',
      });
    }
    // Created here, before SQLite sees it, so the file (and the -wal/-shm files SQLite derives from
    // its mode) is readable by the owner only: it holds the whole directory.
    closeSync(openSync(full, 'wx', 0o600));
    return;
  }
  if (statSync(full).isDirectory()) {
    throw new DatabaseError('DB_OPEN_FAILED', `${full} is a folder, not a database file`, {
      suggestion: 'Point --db at a file path such as ./entra.db.',
    });
  }
  if (statSync(full).size === 0) return;
  const fd = openSync(full, 'r');
  try {
    const head = Buffer.alloc(16);
    readSync(fd, head, 0, 16, 0);
    if (head.toString('latin1') !== SQLITE_HEADER) throw corrupt(full);
  } finally {
    closeSync(fd);
  }
}

function checkVersion(db: Db, path: string, known: number): void {
  const hasTable = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get();
  if (!hasTable) {
    throw new DatabaseError('DB_NOT_OURS', `${path} is a SQLite database but not an entra-extract database`, {
      suggestion: 'Point --db at a new file or at a database entra-extract created.',
    });
  }
  const row = db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null };
  if ((row.v ?? 0) > known) {
    throw new DatabaseError('DB_TOO_NEW', `${path} was written by a newer entra-extract (schema ${row.v}, this one knows ${known})`, {
      suggestion: 'Upgrade entra-extract.',
    });
  }
}

function corrupt(path: string, cause?: unknown): DatabaseError {
  return new DatabaseError('DB_CORRUPT', `${path} is not a readable SQLite database (corrupt or another kind of file)`, {
    suggestion: 'Nothing was changed. Move the file aside and run `entra-extract pull` to build a new database.',
    cause,
  });
}
