import { resolve } from 'node:path';
import { Command } from 'commander';
import { loadConfig } from '../config/index.js';
import { backupDatabase, type BackupReport } from '../store/index.js';
import type { Io } from './io.js';

const fmt = (n: number | null) => (n === null ? 'absent' : n.toLocaleString('en-US'));

export function formatBackup(r: BackupReport): string {
  return [
    `Backed up ${r.database} to ${r.out} (${(r.bytes / 1_048_576).toFixed(1)} MB, mode 0600) in ${(r.durationMs / 1000).toFixed(1)} s.`,
    `Verified: integrity_check ${r.integrity}; ${fmt(r.counts.entities)} entities, ${fmt(r.counts.entity_relations)} entity_relations, ${fmt(r.counts.runs)} runs, ${fmt(r.counts.changes)} changes, as in the database when the copy was taken.`,
  ].join('\n');
}

interface BackupOptions {
  db?: string;
  json?: boolean;
  out: string;
  force?: boolean;
}

export function backupCommand(io: Io): Command {
  return new Command('backup')
    .summary('write a consistent copy of the database, safe while a pull runs')
    .description(
      "Copies the database with SQLite's online backup API from one read snapshot, so a pull may go on " +
        'writing meanwhile (no lock is taken). The copy is a standalone database file (no -wal beside it), ' +
        'created readable by its owner only (0600), and verified: PRAGMA integrity_check and the row counts ' +
        'of entities, entity_relations, runs and changes against the snapshot it was taken from.',
    )
    .requiredOption('--out <file>', 'the copy to write (refused if it exists, unless --force)')
    .option('--db <path>', 'database file (env ENTRA_DB)')
    .option('--force', 'replace an existing file at --out')
    .option('--json', 'print the result as JSON on stdout')
    .addHelpText(
      'after',
      `
Examples:
  $ entra-extract backup --out /backup/entra-$(date +%F).db
  $ entra-extract backup --db contoso.db --out contoso-copy.db --force --json

Restore: with no pull running, delete <db>-wal and <db>-shm if present, copy the backup
over <db>, and keep it mode 0600. The next pull resumes from the state the backup holds.

Exit codes:
  0  copied and verified
  1  fatal: no database, --out exists (without --force), the copy failed or did not verify
  2  usage error`,
    )
    .action(async (opts: BackupOptions) => {
      const config = loadConfig({ env: io.env, cwd: io.cwd, flags: { db: opts.db }, require: 'database' });
      const report = await backupDatabase(config.dbPath, resolve(io.cwd, opts.out), { force: opts.force === true });
      io.stdout.write(opts.json ? `${JSON.stringify({ ok: true, ...report }, null, 2)}\n` : `${formatBackup(report)}\n`);
    });
}
