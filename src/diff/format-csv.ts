import { stringify } from 'csv-stringify/sync';
import type { DiffReport, ObjectEvent, RelationChange } from './diff-report.js';
import { cellValue } from './show-value.js';
import { neutralise } from '../export/neutralise.js';

/** The columns of `diff --format csv`: one row per change, the columns a row's kind does not use left empty. */
export const CSV_COLUMNS = [
  'change', 'reason', 'relation', 'source_type', 'source_id', 'source_name', 'target_type', 'target_id', 'target_name', 'scope',
  'object_type', 'object_id', 'object_name', 'property', 'old', 'new', 'links', 'time', 'run', 'undone', 'undone_time', 'undone_run',
] as const;

type Row = Partial<Record<(typeof CSV_COLUMNS)[number], string | number | boolean | null>>;


function linkRow(change: 'granted' | 'removed', r: RelationChange): Row {
  return {
    change, reason: r.reason, relation: r.relation, source_type: r.source_type, source_id: r.source_id, source_name: r.source_name,
    target_type: r.target_type, target_id: r.target_id, target_name: r.target_name, scope: r.scope, time: r.time, run: r.run,
    undone: r.undone, undone_time: r.undone_time, undone_run: r.undone_run,
  };
}

function objectRow(change: string, o: ObjectEvent, extra: Row = {}): Row {
  return { change, object_type: o.type, object_id: o.id, object_name: o.name, time: o.time, run: o.run, ...extra };
}

/**
 * RFC 4180 (csv-stringify: quotes around a cell holding a comma, a quote or a line break, quotes
 * doubled, CRLF between records), a header row, UTF-8; every cell neutralised against formula
 * injection. Order: granted, removed, created, deleted, restored, changed, first rounds.
 */
export function formatDiffCsv(r: DiffReport): string {
  const rows: Row[] = [
    ...r.granted.map((g) => linkRow('granted', g)),
    ...r.removed.map((g) => linkRow('removed', g)),
    ...r.objects.created.map((o) => objectRow('created', o)),
    ...r.objects.deleted.map((o) => objectRow('deleted', o, { reason: o.kind })),
    ...r.objects.restored.map((o) => objectRow('restored', o)),
    ...r.objects.changed.map((c) => objectRow('changed', c, { property: c.property, old: cellValue(c.old), new: cellValue(c.new) })),
    ...r.baseline.map((b): Row => ({
      change: 'baseline', relation: b.relation, source_type: b.source_type, target_type: b.target_type, links: b.links, time: b.time, run: b.run,
    })),
  ];
  const records = [
    [...CSV_COLUMNS],
    ...rows.map((row) => CSV_COLUMNS.map((c) => {
      const v = row[c];
      return v === null || v === undefined ? '' : neutralise(String(v));
    })),
  ];
  return stringify(records, { record_delimiter: 'windows', eof: true });
}
