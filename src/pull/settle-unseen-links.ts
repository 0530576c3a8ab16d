import { stepKey, type Connector } from './connector.js';
import {
  addRunCollectionCounts,
  clearLinksUnsettled,
  listSyncStates,
  tombstoneUnseenRelations,
  type ChangeStamp,
  type Db,
  type RelationScope,
} from '../store/index.js';

/**
 * Marks deleted the links that the full rounds completed so far did not see, once every collection of
 * the run has settled which objects are gone. A full round must not remove a link whose other end is
 * a soft-deleted or unseen object (Graph keeps such links and restores them without reporting them:
 * https://learn.microsoft.com/graph/delta-query-groups), and that other end may belong to a
 * collection whose own round ends later in the same run. Deciding at the end of the run makes the
 * outcome the same whatever order the collections finish in. A run that died before this step leaves
 * it to the start of the next run.
 *
 * Runs in the caller's transaction. Returns links marked deleted per collection.
 */
export function settleUnseenLinks(db: Db, connectors: readonly Connector[], stamp: ChangeStamp): Record<string, number> {
  // Saved state is kept per step: the first under the collection's name, the others as `<collection>:<step>`.
  const steps = new Map<string, { collection: string; scopes: readonly RelationScope[] }>();
  for (const c of connectors) c.steps.forEach((s, i) => steps.set(stepKey(c, i), { collection: c.name, scopes: s.relationScopes }));
  const out: Record<string, number> = {};
  for (const state of listSyncStates(db)) {
    if (state.links_unsettled_since === null) continue;
    const step = steps.get(state.collection);
    if (!step) continue; // a collection this version no longer pulls: leave its links as they are
    const n = tombstoneUnseenRelations(db, step.scopes, state.links_unsettled_since, stamp);
    clearLinksUnsettled(db, state.collection);
    addRunCollectionCounts(db, stamp.runId, step.collection, { links_deleted: n });
    out[step.collection] = (out[step.collection] ?? 0) + n;
  }
  return out;
}
