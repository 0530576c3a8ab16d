/**
 * The groups a group is nested in, directly or not: each with the shortest chain to it and the
 * number of distinct chains. Computed by group-graph.ts once per group and kept in a bounded memo.
 */
export interface GroupClosure {
  /** Ancestor groups (graph indexes), in breadth-first order: nearest first, then by chain in id order. */
  nodes: Int32Array;
  /** The position (in `nodes`) of the group before each one on its shortest chain; -1 for a direct parent. */
  pred: Int32Array;
  /** Groups strictly between the start and the ancestor on the shortest chain (0 for a direct parent). */
  between: Int32Array;
  /** The newest first_seen_run among the links of the shortest chain: since when the chain has held. */
  run: Int32Array;
  /** Distinct simple chains from the start to the ancestor, at most PATHS_CAP. */
  paths: Int32Array;
  /** True when counting chains ran out of steps (cyclic nesting): `paths` are lower bounds. */
  truncated: boolean;
}

/** `paths` is capped here: 100 means "100 or more". */
export const PATHS_CAP = 100;

/** Steps a count of chains through cyclic nesting may take, per group. */
export const CYCLE_COUNT_BUDGET = 200_000;
