import type { CollectionMode, SyncStateRow } from '../store/index.js';

export interface RoundPlan {
  mode: CollectionMode;
  /** Where the round begins (or goes on). */
  link: string;
  /** The run that started the round: a full round tombstones what was not seen since then. */
  roundStart: number;
  resumed: boolean;
  /** Why a full round (for the ledger and progress); undefined for a delta round. */
  fullReason?: string;
}

export interface PlanOptions {
  query: string;
  /** delta: a saved deltaLink starts a delta round; list: every round is full; events: a saved watermark makes the round incremental. */
  changeTracking: 'delta' | 'list' | 'events';
  full: boolean;
  runId: number;
  /** A delta collection whose last complete full round is older than this runs a full round; 0 = never. */
  fullEveryMs?: number;
  now?: number;
}

const DAY_MS = 86_400_000;

/**
 * Where a collection's run starts:
 * 1. a round an earlier run left unfinished goes on from its last committed page (unless --full
 *    asks to replace an unfinished delta round);
 * 2. otherwise a saved deltaLink of the same query starts a delta round (not for --full, never for
 *    list collections, and not when the last complete full round is older than --full-every:
 *    delta is known to miss some changes, so a scheduled full round reconciles);
 * 3. otherwise a full round from the collection's first request.
 * A saved link made for another query ($select changed by an upgrade or a new permission) is not used.
 */
export function planRound(state: SyncStateRow | undefined, o: PlanOptions): RoundPlan {
  const sameQuery = state?.query === o.query;
  if (state?.round_mode && state.round_next_link && sameQuery && !(o.full && state.round_mode === 'delta')) {
    return {
      mode: state.round_mode, link: state.round_next_link, roundStart: state.round_start_run ?? o.runId, resumed: true,
      ...(state.round_mode === 'full' ? { fullReason: 'resuming an unfinished full round' } : {}),
    };
  }
  const full = (fullReason: string): RoundPlan => ({ mode: 'full', link: o.query, roundStart: o.runId, resumed: false, fullReason });
  if (o.changeTracking === 'list') return full('list collection: every run reads everything');
  if (o.changeTracking === 'events') {
    // Events are only ever appended: --full and --full-every do not apply, and the watermark is kept.
    return state?.watermark && sameQuery
      ? { mode: 'delta', link: o.query, roundStart: o.runId, resumed: false }
      : full(state?.watermark ? 'the query changed: the first window again' : 'first window');
  }
  if (o.full) return full('--full');
  if (!state?.delta_link) return full(state?.last_full_at ? 'no saved deltaLink' : 'first round');
  if (!sameQuery) return full('the query changed (new properties or permissions): a new deltaLink is needed');
  const due = fullRoundDue(state.last_full_at, o.fullEveryMs ?? 0, o.now ?? Date.now());
  if (due) return full(due);
  return { mode: 'delta', link: state.delta_link, roundStart: o.runId, resumed: false };
}

/** The reason a scheduled full round is due, or undefined. */
function fullRoundDue(lastFullAt: string | null, everyMs: number, now: number): string | undefined {
  if (everyMs <= 0) return undefined;
  if (!lastFullAt) return 'scheduled reconciliation: no complete full round recorded';
  const age = now - Date.parse(lastFullAt);
  if (!(age >= everyMs)) return undefined;
  return `scheduled reconciliation: the last complete full round is ${(age / DAY_MS).toFixed(1)} days old (--full-every ${everyMs / DAY_MS})`;
}
