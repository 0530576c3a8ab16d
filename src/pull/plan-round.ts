import type { CollectionMode, SyncStateRow } from '../store/index.js';

export interface RoundPlan {
  mode: CollectionMode;
  /** Where the round begins (or goes on). */
  link: string;
  /** The run that started the round: a full round tombstones what was not seen since then. */
  roundStart: number;
  resumed: boolean;
}

/**
 * Where a collection's run starts:
 * 1. a round an earlier run left unfinished goes on from its last committed page (unless --full
 *    asks to replace an unfinished delta round);
 * 2. otherwise a saved deltaLink of the same query starts a delta round (not for --full, and never
 *    for list collections);
 * 3. otherwise a full round from the collection's first request.
 * A saved link made for another query ($select changed by an upgrade or a new permission) is not used.
 */
export function planRound(
  state: SyncStateRow | undefined,
  o: { query: string; changeTracking: 'delta' | 'list'; full: boolean; runId: number },
): RoundPlan {
  const sameQuery = state?.query === o.query;
  if (state?.round_mode && state.round_next_link && sameQuery && !(o.full && state.round_mode === 'delta')) {
    return { mode: state.round_mode, link: state.round_next_link, roundStart: state.round_start_run ?? o.runId, resumed: true };
  }
  if (o.changeTracking === 'delta' && !o.full && state?.delta_link && sameQuery) {
    return { mode: 'delta', link: state.delta_link, roundStart: o.runId, resumed: false };
  }
  return { mode: 'full', link: o.query, roundStart: o.runId, resumed: false };
}
