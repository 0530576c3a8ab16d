import type { ReportContext } from './report-context.js';

const DAY_MS = 86_400_000;
import type { Summary } from './report-findings.js';

const BUCKETS: { label: string; upTo: number }[] = [
  { label: '0-7 days', upTo: 7 },
  { label: '8-30 days', upTo: 30 },
  { label: '31-90 days', upTo: 90 },
  { label: '91-180 days', upTo: 180 },
  { label: '181-365 days', upTo: 365 },
  { label: 'over a year', upTo: Infinity },
];

/** Section 7's figures: how many of what, access held by kind, and how recently access holders signed in. */
export function readSummary(ctx: ReportContext): Summary {
  const { ids, access } = ctx;
  const recency = new Map<string, number>([...BUCKETS.map((b) => [b.label, 0] as [string, number]), ['never', 0], ['unknown', 0]]);
  let guests = 0;
  let disabled = 0;
  for (let slot = 0; slot < ids.userCount; slot++) {
    if (ids.isGuest(slot)) guests++;
    if (ids.enabledAt(slot) === false) disabled++;
    if (access.total(slot) === 0) continue;
    const last = ids.lastSuccessfulMs(slot);
    const bucket = !ids.signInKnown(slot) ? 'unknown'
      : last === null ? 'never'
        : BUCKETS.find((b) => Math.floor((ctx.now - last) / DAY_MS) <= b.upTo)!.label;
    recency.set(bucket, recency.get(bucket)! + 1);
  }
  let holders = 0;
  for (let s = 0; s < ids.slots; s++) if (access.total(s) > 0) holders++;
  const count = (type: string) => ctx.db.prepare('SELECT COUNT(*) FROM entities WHERE entity_type = ? AND deleted_at IS NULL').pluck().get(type) as number;
  return {
    users: ids.userCount,
    guests,
    disabledUsers: disabled,
    servicePrincipals: ids.servicePrincipals.length,
    groups: ids.groups.filter((g) => g.known).length,
    applications: count('application'),
    holders,
    accessByKind: access.totals(),
    signInRecency: [...recency].map(([bucket, users]) => ({ bucket, users })),
  };
}
