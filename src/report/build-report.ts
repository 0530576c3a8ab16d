import type { Db } from '../store/index.js';
import { AccessIndex } from './access-index.js';
import { readChanges } from './changes.js';
import { readCredentials } from './credentials.js';
import { readDisabledWithAccess } from './disabled-with-access.js';
import { readDormant } from './dormant.js';
import { readFreshness } from './freshness.js';
import { readGuests } from './guests.js';
import { Identities } from './identities.js';
import { readLeavers } from './leavers.js';
import { readOwnerless } from './ownerless.js';
import { readPrivileged } from './privileged.js';
import { makeNameLookup, makeRunStarts, type ReportContext } from './report-context.js';
import { ReportError } from './report-error.js';
import type { ReportFindings } from './report-findings.js';
import { readSummary } from './summary.js';

export interface ReportOptions {
  /** The collections this version pulls, for the freshness section. */
  collections: readonly string[];
  /** An enabled account with access and no successful sign-in for this many days is dormant. Default 90. */
  dormantDays?: number;
  /** A credential expiring within this many days is listed. Default 30. */
  expiryDays?: number;
  /** "Now" for ages and expiry (ms); default Date.now(). */
  now?: number;
}

export const DEFAULT_DORMANT_DAYS = 90;
export const DEFAULT_EXPIRY_DAYS = 30;

/**
 * Every finding of the report, read from the database alone. Call it inside one read transaction,
 * so that every section sees the same state while a pull may be writing. Fails (exit 1) on a
 * database that never completed a pull (no run ended in success or partial).
 */
export function buildReport(db: Db, options: ReportOptions): ReportFindings {
  const now = options.now ?? Date.now();
  const dormantDays = options.dormantDays ?? DEFAULT_DORMANT_DAYS;
  const expiryDays = options.expiryDays ?? DEFAULT_EXPIRY_DAYS;
  assertReportable(db);
  const ids = new Identities(db);
  const access = new AccessIndex(db, ids);
  const ctx: ReportContext = { db, ids, access, now, runStart: makeRunStarts(db), nameOf: makeNameLookup(db) };
  const freshness = readFreshness(db, options.collections, now);
  const privileged = readPrivileged(ctx, freshness.collections);
  return {
    generatedAt: new Date(now).toISOString(),
    options: { dormantDays, expiryDays },
    summary: readSummary(ctx),
    freshness,
    privileged,
    dormant: readDormant(ctx, dormantDays),
    guests: readGuests(ctx, privileged.roles),
    disabledWithAccess: readDisabledWithAccess(ctx),
    leavers: readLeavers(ctx),
    credentials: readCredentials(ctx, expiryDays),
    ownerless: readOwnerless(ctx),
    changes: readChanges(ctx),
  };
}

function assertReportable(db: Db): void {
  const view = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'view' AND name = 'effective_relations'").get();
  if (!view) {
    throw new ReportError('REPORT_OLD_DATABASE', 'The database was written by an older entra-extract: it has no effective_relations view yet', {
      suggestion: 'Run `entra-extract pull` once with this version (it migrates the database), then report.',
    });
  }
  const runs = db.prepare('SELECT outcome FROM runs').pluck().all() as string[];
  if (!runs.some((o) => o === 'success' || o === 'partial')) {
    throw new ReportError('REPORT_NO_PULL', 'The database never completed a pull: there is nothing to report', {
      suggestion: runs.length === 0
        ? 'Run `entra-extract pull` (or `entra-extract demo`) first, or pass the right --db.'
        : 'Run `entra-extract pull` until it ends with success or partial (see `entra-extract status`), then report.',
    });
  }
}
