import type { PermissionToGrant } from './fix-instructions.js';
import { graphPermissionId } from './graph-permission-ids.js';
import type { CollectionJudgement } from './judge-collection.js';
import type { Recommendation } from './recommend.js';
import { acceptedBy, type NeedStatus } from './requirements.js';

/**
 * What to grant: for each need that stops a collection, the recommended permission that satisfies
 * it (else its least-privileged one); for each need only a permission to be removed satisfies, the
 * same, so that removing it breaks nothing; then the optional ones not held.
 */
export function permissionsToGrant(
  judged: { collection: string; needs: NeedStatus[]; judgement: CollectionJudgement }[],
  rec: Recommendation,
  keep: ReadonlySet<string>,
): PermissionToGrant[] {
  const out = new Map<string, PermissionToGrant>();
  const add = (permission: string, collection: string, optional: boolean) => {
    const id = graphPermissionId(permission);
    const entry = out.get(permission) ?? { permission, ...(id ? { id } : {}), optional, for: [] };
    entry.optional &&= optional;
    if (!entry.for.includes(collection)) entry.for.push(collection);
    out.set(permission, entry);
  };
  const recommended = new Set(rec.permissions.map((p) => p.permission));
  // The least-privileged permission of the need that the recommended set has (else its own least one).
  const pick = (need: NeedStatus) => acceptedBy(need).find((p) => recommended.has(p)) ?? need.permission;
  for (const { collection, judgement } of judged) for (const need of judgement.missing) add(pick(need), collection, false);
  for (const { collection, needs } of judged) {
    for (const need of needs) {
      if (need.kind !== 'optional' && need.grantedBy !== null && !acceptedBy(need).some((p) => keep.has(p))) add(pick(need), collection, false);
    }
  }
  for (const { collection, judgement } of judged) for (const need of judgement.optionalMissing) add(pick(need), collection, true);
  return [...out.values()];
}
