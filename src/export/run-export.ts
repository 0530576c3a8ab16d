import { join } from 'node:path';
import { DatabaseError, EntraExtractError } from '../errors/index.js';
import type { Db } from '../store/index.js';
import { ACCESS_FILE, ACCESS_HEADER } from './access-expansion.js';
import { EXPORTED_ENTITY_TYPES, writeBalkanidEntities } from './balkanid-entities.js';
import { ENTITIES_FILE, ENTITY_HEADER, RELATION_HEADER, RELATIONS_FILE } from './balkanid-format.js';
import { writeBalkanidRelations } from './balkanid-relations.js';
import { CsvFile, type CsvFileResult } from './csv-file.js';
import { ExportError } from './export-error.js';
import { writeFlatAccess, type FlatOptions } from './flat-export.js';
import { withReadSnapshot } from './read-snapshot.js';
import { describeStale, readRunFacts, type RunFacts, type RunSummary, type StaleCollection } from './run-facts.js';
import { stageFolder, type StagedFolder } from './replace-folder.js';

export const EXPORT_FORMATS = ['balkanid', 'flat'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** Every file an export writes: the only files an --out folder may hold. */
export const EXPORT_FILES = [ENTITIES_FILE, RELATIONS_FILE, ACCESS_FILE] as const;

export interface ExportOptions {
  dbPath: string;
  out: string;
  format?: ExportFormat;
  /** Called when a file is complete, before the folder is moved into place (progress; tests inject failures here). */
  onFileWritten?: (file: string) => void;
  flat?: FlatOptions;
  now?: () => number;
}

export interface ExportFileReport {
  file: string;
  rows: number;
  bytes: number;
}

export interface ExportReport {
  format: ExportFormat;
  database: string;
  /** The folder the files are in. */
  out: string;
  files: ExportFileReport[];
  /** Effective rows not written, with why: a relation whose end has no entity (a device member), an access whose entity is missing. */
  leftOut: { rows: number; byReason: Record<string, number> };
  /** balkanid: entities per entity_type and relation rows per relation; flat: identities with rows and the group graph. */
  details: Record<string, unknown>;
  tenantId: string | null;
  /** The last finished run: the data is as of its end. */
  run: RunSummary;
  /** A run still marked running when the export read (a pull going on, or one that died). */
  inProgress: RunSummary | null;
  /** Collections whose last pull did not complete: their data is older (exit 3 with --strict). */
  stale: StaleCollection[];
  skipped: string[];
  warnings: string[];
  durationMs: number;
}

interface Written {
  files: ExportFileReport[];
  leftOut: Record<string, number>;
  details: Record<string, unknown>;
}

/**
 * Writes one export: everything read in one read transaction of a read-only connection, the files
 * written into a folder beside --out and moved into place together (src/export/replace-folder.ts).
 * Throws ExportError / DatabaseError (exit 1) when there is nothing to export or a write fails; the
 * previous export is then left as it was.
 */
export async function runExport(options: ExportOptions): Promise<ExportReport> {
  const now = options.now ?? Date.now;
  const started = now();
  const format = options.format ?? 'balkanid';
  let stage: StagedFolder | undefined;
  let facts: RunFacts | undefined;
  let written: Written;
  try {
    written = withReadSnapshot(options.dbPath, (db) => {
      const f = readRunFacts(db);
      facts = f;
      stage = stageFolder(options.out, EXPORT_FILES);
      return format === 'balkanid' ? writeBalkanid(db, stage.dir, f, options) : writeFlat(db, stage.dir, f, options);
    });
    stage!.commit();
  } catch (error) {
    stage?.abort();
    throw asExportError(error);
  }
  const f = facts!;
  const leftOutRows = Object.values(written.leftOut).reduce((a, b) => a + b, 0);
  return {
    format,
    database: options.dbPath,
    out: stage!.out,
    files: written.files.map((x) => ({ ...x, file: x.file.slice(stage!.dir.length + 1) })),
    leftOut: { rows: leftOutRows, byReason: written.leftOut },
    details: written.details,
    tenantId: f.tenantId,
    run: f.run,
    inProgress: f.inProgress,
    stale: f.stale,
    skipped: f.skipped,
    warnings: warningsOf(f),
    durationMs: now() - started,
  };
}

function warningsOf(f: RunFacts): string[] {
  const out = f.stale.map((s) => `stale data: ${describeStale(s)}`);
  if (f.inProgress) {
    out.push(`run #${f.inProgress.id} (started ${f.inProgress.startedAt}) was still running when the export read the database: the pages it had committed by then are in the files`);
  }
  return out;
}

/** Opens a file, lets `fill` write its rows, closes it; the file is aborted if anything throws. */
function writeFile<T>(path: string, header: readonly string[], jsonColumns: number[], fill: (f: CsvFile) => T, options: ExportOptions): { result: CsvFileResult; value: T } {
  const file = new CsvFile(path, header, { jsonColumns });
  let value: T;
  try {
    value = fill(file);
  } catch (error) {
    file.abort();
    throw error;
  }
  const result = file.close();
  options.onFileWritten?.(path);
  return { result, value };
}

function writeBalkanid(db: Db, dir: string, facts: RunFacts, options: ExportOptions): Written {
  const metadataColumn = [ENTITY_HEADER.length - 1];
  const entities = writeFile(join(dir, ENTITIES_FILE), ENTITY_HEADER, metadataColumn, (f) => writeBalkanidEntities(db, f), options);
  const relations = writeFile(
    join(dir, RELATIONS_FILE), RELATION_HEADER, [RELATION_HEADER.length - 1],
    (f) => writeBalkanidRelations(db, f, facts.tenantId ?? '', EXPORTED_ENTITY_TYPES), options,
  );
  return {
    files: [entities.result, relations.result],
    leftOut: Object.fromEntries(Object.entries(relations.value.leftOut).map(([k, n]) => [`${k}: an end with no entity in ${ENTITIES_FILE}`, n])),
    details: { entities: entities.value, relations: relations.value.rows },
  };
}

function writeFlat(db: Db, dir: string, facts: RunFacts, options: ExportOptions): Written {
  const access = writeFile(join(dir, ACCESS_FILE), ACCESS_HEADER, [], (f) => writeFlatAccess(db, f, facts.runStarts, options.flat), options);
  return {
    files: [access.result],
    leftOut: Object.fromEntries(Object.entries(access.value.leftOut).map(([k, n]) => [`${k}: the entity held has no live row`, n])),
    details: { identities: access.value.identities, groups: access.value.groups },
  };
}

/** Library errors stay as they are; SQLite and file system failures get a code, a message and what to do. */
function asExportError(error: unknown): unknown {
  if (error instanceof EntraExtractError) return error;
  const code = (error as { code?: unknown })?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (typeof code === 'string' && code.startsWith('SQLITE')) {
    return new DatabaseError('DB_READ_FAILED', `Reading the database failed: ${message}`, {
      cause: error, suggestion: 'Check the database with `entra-extract status`; nothing was written.',
    });
  }
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) {
    return new ExportError('EXPORT_WRITE_FAILED', `Writing the export failed: ${message}`, {
      cause: error, suggestion: 'Check free disk space and permissions where --out points; the previous export was left as it was.',
    });
  }
  return error;
}
