import type { ChangeRow, Db } from '../store/index.js';
import type { BaselineSet } from './diff-report.js';
import type { LinkKeyParts } from './read-changes.js';

/**
 * A collection's first round records one `baseline` row per link set instead of one `added` row per
 * link (schemas/README.md): every link of the set whose first_seen_run is that run was added by it.
 * This finds the baseline row that covers a link, if one is after the window's start.
 */
export function baselineFor(baselines: readonly ChangeRow[], link: LinkKeyParts, firstSeenRun: number | null): ChangeRow | undefined {
  if (firstSeenRun === null) return undefined;
  return baselines.find(
    (b) =>
      b.run_id === firstSeenRun && b.relation === link.relation &&
      (b.source_type === null || b.source_type === link.source_type) &&
      (b.target_type === null || b.target_type === link.target_type),
  );
}

/**
 * The first rounds in the window, each with the number of links it read (first_seen_run = its run).
 * Those links are the starting point of the data, not changes a review looks at, so the report
 * counts them instead of listing them (a first pull of a large tenant reads a million).
 */
export function baselineSets(db: Db, baselines: readonly ChangeRow[], toRun: number): BaselineSet[] {
  const out: BaselineSet[] = [];
  const seen = new Set<string>();
  for (const b of baselines) {
    if (b.run_id > toRun || b.relation === null) continue;
    // A run that resumed its first round in several steps may write the same set twice.
    const key = `${b.run_id}\u0000${b.relation}\u0000${b.source_type}\u0000${b.target_type}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const column = b.source_type !== null ? 'source_type' : 'target_type';
    const anchor = b.source_type ?? b.target_type;
    const links = anchor === null
      ? (db.prepare('SELECT COUNT(*) FROM entity_relations WHERE relation = ? AND first_seen_run = ?').pluck().get(b.relation, b.run_id) as number)
      : (db.prepare(`SELECT COUNT(*) FROM entity_relations WHERE relation = ? AND ${column} = ? AND first_seen_run = ?`).pluck()
        .get(b.relation, anchor, b.run_id) as number);
    out.push({ run: b.run_id, time: b.at, relation: b.relation, source_type: b.source_type, target_type: b.target_type, links });
  }
  return out;
}
