import type { DiffReport, ObjectEvent, RelationChange } from './diff-report.js';
import { showValue } from './show-value.js';

const fmt = (n: number) => n.toLocaleString('en-US');

/** How a row names an object: its display name and type, or its type and id when it has no name. */
export function objectName(type: string, id: string, name: string | null): string {
  return name === null ? `${type} ${id}` : `${name} (${type})`;
}

function windowLine(r: DiffReport): string {
  const from = 'date' in r.since
    ? `after ${r.since.date}`
    : r.since.run === 0 ? 'from the first run' : `after run ${r.since.run}${r.from.time ? ` (ended ${r.from.time})` : ''}`;
  return `Changes ${from} up to run ${r.to.run}${r.to.time ? ` (ended ${r.to.time})` : ' (not ended)'}`;
}

/** Pads each column to its widest cell; the last column is not padded. */
function columns(rows: string[][], indent: string): string[] {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows.map((r) => indent + r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd());
}

function relationLines(rows: RelationChange[], plain: string): string[] {
  const out: string[] = [];
  const byRelation = new Map<string, RelationChange[]>();
  for (const r of rows) {
    const list = byRelation.get(r.relation);
    if (list) list.push(r);
    else byRelation.set(r.relation, [r]);
  }
  for (const [relation, list] of [...byRelation].sort(([a], [b]) => (a < b ? -1 : 1))) {
    out.push(`  ${relation} (${fmt(list.length)})`);
    out.push(...columns(list.map((r) => [
      objectName(r.source_type, r.source_id, r.source_name),
      '→',
      objectName(r.target_type, r.target_id, r.target_name),
      r.scope ? `scope ${r.scope}` : '',
      r.time,
      `run ${r.run}`,
      [r.reason === plain ? '' : `(${r.reason})`,
        r.undone ? `UNDONE ${r.undone_time} run ${r.undone_run} (${String(r.undone_reason)})` : ''].filter(Boolean).join('  '),
    ]), '    '));
  }
  return out;
}

function objectLines(rows: (ObjectEvent & { kind?: string })[]): string[] {
  return columns(rows.map((o) => [o.type, o.name ?? '(no name)', o.id, o.time, `run ${o.run}`, o.kind ?? '']), '  ');
}

/**
 * The table a person reads on a terminal: the window, the counts, then each kind of change grouped
 * (access by relation), one line per change, oldest first.
 */
export function formatDiffTable(r: DiffReport): string {
  const undoneGranted = r.granted.filter((g) => g.undone).length;
  const undoneRemoved = r.removed.filter((g) => g.undone).length;
  const kinds = (k: string) => r.objects.deleted.filter((d) => d.kind === k).length;
  const lines = [
    windowLine(r),
    `Runs in the window: ${r.runs.map((x) => `#${x.id} ${x.outcome}`).join(', ')}`,
    '',
    ...columns([
      ['Access granted', fmt(r.granted.length), undoneGranted ? `(${fmt(undoneGranted)} removed again within the window)` : ''],
      ['Access removed', fmt(r.removed.length), undoneRemoved ? `(${fmt(undoneRemoved)} granted back within the window)` : ''],
      ['Objects created', fmt(r.objects.created.length), ''],
      ['Objects deleted', fmt(r.objects.deleted.length), r.objects.deleted.length ? `(${kinds('soft')} soft, ${kinds('permanent')} permanent, ${kinds('unseen')} unseen)` : ''],
      ['Objects restored', fmt(r.objects.restored.length), ''],
      ['Property changes', fmt(r.objects.changed.length), ''],
      ['First rounds', fmt(r.baseline.length), r.baseline.length ? `(${fmt(r.baseline.reduce((n, b) => n + b.links, 0))} links read, counted not listed)` : ''],
    ], '  '),
  ];
  const section = (title: string, count: number, body: string[]) => {
    if (count > 0) lines.push('', `${title} (${fmt(count)})`, ...body);
  };
  section('Access granted', r.granted.length, relationLines(r.granted, 'added'));
  section('Access removed', r.removed.length, relationLines(r.removed, 'removed'));
  section('Objects created', r.objects.created.length, objectLines(r.objects.created));
  section('Objects deleted', r.objects.deleted.length, objectLines(r.objects.deleted));
  section('Objects restored', r.objects.restored.length, objectLines(r.objects.restored));
  section('Property changes', r.objects.changed.length, columns(r.objects.changed.map((c) => [
    c.type, c.name ?? c.id, c.time, `run ${c.run}`, c.property, `${showValue(c.old)} → ${showValue(c.new)}`,
  ]), '  '));
  section('First rounds (their links are the starting point: counted, not listed)', r.baseline.length, columns(r.baseline.map((b) => [
    `run ${b.run}`, b.relation, b.target_type ? `to ${b.target_type}` : b.source_type ? `from ${b.source_type}` : '', `${fmt(b.links)} ${b.links === 1 ? 'link' : 'links'}`, b.time,
  ]), '  '));
  const total = r.granted.length + r.removed.length + r.objects.created.length + r.objects.deleted.length + r.objects.restored.length
    + r.objects.changed.length + r.baseline.length;
  if (total === 0) lines.push('', 'No changes in the window.');
  return lines.join('\n');
}
