import { resolve } from 'node:path';
import { Command, Option } from 'commander';
import { loadConfig } from '../config/index.js';
import { EXPORT_FORMATS, runExport, type ExportFormat, type ExportReport } from '../export/index.js';
import type { Io } from './io.js';

const fmt = (n: number) => n.toLocaleString('en-US');

export function formatExport(r: ExportReport): string {
  const width = Math.max(...r.files.map((f) => f.file.length));
  const lines = [
    `Exported ${r.format} from ${r.database}${r.tenantId ? ` (tenant ${r.tenantId})` : ''} to ${r.out} in ${(r.durationMs / 1000).toFixed(1)} s:`,
    ...r.files.map((f) => `  ${f.file.padEnd(width)}  ${fmt(f.rows).padStart(11)} rows  ${(f.bytes / 1_048_576).toFixed(1)} MB`),
  ];
  if (r.leftOut.rows > 0) {
    lines.push(`Left out ${fmt(r.leftOut.rows)} rows:`);
    for (const [why, n] of Object.entries(r.leftOut.byReason)) lines.push(`  ${fmt(n)}  ${why}`);
  }
  lines.push(`Data as of run #${r.run.id} (${r.run.command}, ${r.run.outcome}${r.run.endedAt ? `, ended ${r.run.endedAt}` : ''}).`);
  if (r.skipped.length > 0) lines.push(`Skipped by their last pull (the tenant's license has no such data): ${r.skipped.join(', ')}.`);
  return lines.join('\n');
}

interface ExportCliOptions {
  db?: string;
  json?: boolean;
  out: string;
  format: ExportFormat;
  strict?: boolean;
}

export function exportCommand(io: Io, setExit: (code: number) => void = () => {}): Command {
  return new Command('export')
    .summary('write CSV: BalkanID entities + entity relations, or one flat access-review file')
    .description(
      'Writes the effective access of the database (live links, both ends live) as CSV, read in one read ' +
        'transaction, so a pull running meanwhile changes nothing in the files. The files are written into a ' +
        'folder beside --out and moved into place together: a failed or interrupted export leaves the previous ' +
        'one whole. The mappings are documented in schemas/export.md.',
    )
    .requiredOption('--out <dir>', "the export's folder, created if missing, replaced as a whole by each export")
    .addOption(new Option('--format <format>', 'balkanid: entities.csv + entity_relations.csv; flat: access.csv').choices(EXPORT_FORMATS).default('balkanid'))
    .option('--db <path>', 'database file (env ENTRA_DB)')
    .option('--strict', 'exit 3 when a collection\'s last pull did not complete (its data is older); the files are written all the same')
    .option('--json', 'print what was written as JSON on stdout')
    .addHelpText(
      'after',
      `
Examples:
  $ entra-extract export --out ./balkanid                 # entities.csv, entity_relations.csv
  $ entra-extract export --format flat --out ./review      # access.csv, one row per access held
  $ entra-extract export --db contoso.db --out /srv/export --strict --json

Needs no credentials: it only reads the database. --out may hold only the files an
export writes (entities.csv, entity_relations.csv, access.csv): any other file and
the export is refused, so that a mistyped --out is never replaced.

Exit codes:
  0  written (a warning on stderr names any collection whose last pull did not complete)
  1  fatal: no database, a database that never completed a pull or holds nothing,
     --out refused, or the files could not be written (the previous export is intact)
  2  usage error
  3  (--strict) written, but a collection's last pull did not complete: its data is older`,
    )
    .action(async (opts: ExportCliOptions) => {
      const config = loadConfig({ env: io.env, cwd: io.cwd, flags: { db: opts.db }, require: 'database' });
      const report = await runExport({ dbPath: config.dbPath, out: resolve(io.cwd, opts.out), format: opts.format });
      for (const w of report.warnings) io.stderr.write(`warning: ${w}\n`);
      const exitCode = opts.strict && report.stale.length > 0 ? 3 : 0;
      io.stdout.write(opts.json ? `${JSON.stringify({ ok: exitCode === 0, exitCode, ...report }, null, 2)}\n` : `${formatExport(report)}\n`);
      setExit(exitCode);
    });
}
