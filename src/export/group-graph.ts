import type { Db } from '../store/index.js';
import { CYCLE_COUNT_BUDGET, PATHS_CAP, type GroupClosure } from './group-closure.js';
import { strongComponents } from './strong-components.js';

const EMPTY = new Int32Array(0);
/** Components up to this many groups keep their chains from each entry for the whole export. */
const WITHIN_MEMO_MAX_COMPONENT = 1000;

export interface GroupGraphOptions {
  /** Closure entries the memo keeps, over all groups (default 1,000,000: about 20 MB). */
  memoEntries?: number;
}

/**
 * The live groups and how they nest (effective memberOf links from a group to a group), held as
 * integer arrays: group i is `ids[i]`, in id order, so comparing indexes compares ids. Each group's
 * closure (the groups it is in, transitively) is computed once by a breadth-first walk and kept in
 * a memo bounded by its total entries (first in, first out), so a user in ten groups
 * costs ten lookups and memory does not grow with the number of users.
 */
export class GroupGraph {
  readonly ids: string[] = [];
  readonly names: (string | null)[] = [];
  private readonly index = new Map<string, number>();
  /** CSR adjacency: the parents of group i are parents[start[i] .. start[i+1]), ascending. */
  private start: Int32Array = EMPTY;
  private parents: Int32Array = EMPTY;
  private parentRuns: Int32Array = EMPTY;
  private readonly memo = new Map<number, GroupClosure>();
  private memoSize = 0;
  private readonly memoLimit: number;
  // Scratch space of the walks, reused.
  private stamp: Int32Array = EMPTY;
  private pos: Int32Array = EMPTY;
  private onPath: Uint8Array = new Uint8Array(0);
  private walk = 0;
  /** Strongly connected component of each group, and each component's size. */
  private comp: Int32Array = EMPTY;
  private compSize: Int32Array = EMPTY;
  /** Simple chains inside a component from an entry group (withinComponent), for the whole export. */
  private readonly within = new Map<number, { counts: Map<number, number>; truncated: boolean }>();
  /** Closures computed (a memo miss), and those whose `paths` are lower bounds, for the report. */
  computed = 0;
  truncated = 0;

  constructor(db: Db, options: GroupGraphOptions = {}) {
    this.memoLimit = options.memoEntries ?? 1_000_000;
    for (const g of db.prepare("SELECT id, display_name FROM entities WHERE entity_type = 'group' AND deleted_at IS NULL ORDER BY id").iterate() as Iterable<{ id: string; display_name: string | null }>) {
      this.index.set(g.id, this.ids.length);
      this.ids.push(g.id);
      this.names.push(g.display_name);
    }
    this.loadEdges(db);
    ({ comp: this.comp, sizes: this.compSize } = strongComponents(this.start, this.parents));
    const n = this.ids.length;
    this.stamp = new Int32Array(n);
    this.pos = new Int32Array(n);
    this.onPath = new Uint8Array(n);
  }

  indexOf(id: string): number | undefined {
    return this.index.get(id);
  }

  nameOf(i: number): string {
    return this.names[i] ?? this.ids[i]!;
  }

  private loadEdges(db: Db): void {
    const n = this.ids.length;
    const from: number[] = [];
    const to: number[] = [];
    const runs: number[] = [];
    const sql = `SELECT source_id, target_id, first_seen_run FROM effective_relations
                 WHERE relation = 'memberOf' AND source_type = 'group' AND target_type = 'group'`;
    for (const e of db.prepare(sql).raw().iterate() as Iterable<[string, string, number | null]>) {
      const a = this.index.get(e[0]);
      const b = this.index.get(e[1]);
      if (a === undefined || b === undefined) continue;
      from.push(a);
      to.push(b);
      runs.push(e[2] ?? 0);
    }
    const start = new Int32Array(n + 1);
    for (const a of from) start[a + 1]!++;
    for (let i = 0; i < n; i++) start[i + 1]! += start[i]!;
    const fill = start.slice(0, n);
    const order = new Int32Array(from.length);
    for (let k = 0; k < from.length; k++) order[fill[from[k]!]!++] = k;
    // Each group's parents ascending (by id), so walks visit them in id order.
    const parents = new Int32Array(from.length);
    const parentRuns = new Int32Array(from.length);
    for (let i = 0; i < n; i++) {
      const slice = Array.from(order.subarray(start[i]!, start[i + 1]!)).sort((x, y) => to[x]! - to[y]!);
      slice.forEach((k, j) => {
        parents[start[i]! + j] = to[k]!;
        parentRuns[start[i]! + j] = runs[k]!;
      });
    }
    this.start = start;
    this.parents = parents;
    this.parentRuns = parentRuns;
  }

  /** The groups group `g` is nested in, memoised. */
  closure(g: number): GroupClosure {
    // First in, first out: refreshing an entry on every hit (delete + set) would make the Map
    // rebuild its table over and over, garbage that grows the heap of a large export by ~100 MB.
    const hit = this.memo.get(g);
    if (hit) return hit;
    const c = this.compute(g);
    this.computed++;
    this.memo.set(g, c);
    this.memoSize += c.nodes.length;
    for (const [k, v] of this.memo) {
      if (this.memoSize <= this.memoLimit || k === g) break;
      this.memo.delete(k);
      this.memoSize -= v.nodes.length;
    }
    return c;
  }

  /**
   * Breadth-first from g's parents. Nodes are visited layer by layer, each layer in the order of
   * its chains compared nearest group first (the queue keeps it: a node's chain is its
   * discoverer's plus itself, and parents are taken in id order), so the first chain that reaches
   * a group is the shortest, ties going to the smaller ids. g itself is never its own ancestor.
   */
  private compute(g: number): GroupClosure {
    const walk = ++this.walk;
    const { start, parents, parentRuns, stamp, pos } = this;
    const nodes: number[] = [];
    const pred: number[] = [];
    const between: number[] = [];
    const run: number[] = [];
    stamp[g] = walk;
    pos[g] = -1;
    for (let e = start[g]!; e < start[g + 1]!; e++) {
      const p = parents[e]!;
      if (stamp[p] === walk) continue;
      stamp[p] = walk;
      pos[p] = nodes.length;
      nodes.push(p);
      pred.push(-1);
      between.push(0);
      run.push(parentRuns[e]!);
    }
    for (let head = 0; head < nodes.length; head++) {
      const u = nodes[head]!;
      for (let e = start[u]!; e < start[u + 1]!; e++) {
        const p = parents[e]!;
        if (stamp[p] === walk) continue;
        stamp[p] = walk;
        pos[p] = nodes.length;
        nodes.push(p);
        pred.push(head);
        between.push(between[head]! + 1);
        run.push(Math.max(run[head]!, parentRuns[e]!));
      }
    }
    const closure: GroupClosure = {
      nodes: Int32Array.from(nodes),
      pred: Int32Array.from(pred),
      between: Int32Array.from(between),
      run: Int32Array.from(run),
      paths: new Int32Array(nodes.length),
      truncated: false,
    };
    this.countPaths(g, closure);
    if (closure.truncated) this.truncated++;
    return closure;
  }

  /**
   * Distinct simple chains from g to each ancestor, capped at PATHS_CAP, by dynamic programming over
   * the components in topological order. A simple chain passes each component once (the components
   * form no cycle): it enters at some group u, follows a simple chain inside to v, and leaves. So
   * the chains to v are the chains arriving at each entry u times the simple chains from u to v
   * inside the component; a group alone in its component (no cycle: nearly every group) has one.
   * Exact and linear when the nesting has no cycle; inside a cycle the chains are walked, once per
   * (component, entry) for the whole export (withinComponent).
   */
  private countPaths(g: number, c: GroupClosure): void {
    const { start, parents, pos, comp, compSize } = this;
    const size = c.nodes.length;
    const slot = (x: number) => (x === g ? size : pos[x]!); // g takes the slot after the ancestors
    const order = Array.from({ length: size + 1 }, (_, k) => k).sort((a, b) => comp[b === size ? g : c.nodes[b]!]! - comp[a === size ? g : c.nodes[a]!]!);
    const arriving = new Float64Array(size + 1);
    const counts = new Float64Array(size + 1);
    arriving[size] = 1;
    for (let i = 0; i < order.length;) {
      const k0 = order[i]!;
      const component = comp[k0 === size ? g : c.nodes[k0]!]!;
      let j = i;
      while (j < order.length && comp[order[j] === size ? g : c.nodes[order[j]!]!] === component) j++;
      if (compSize[component] === 1) {
        counts[k0] = arriving[k0]!;
      } else {
        for (let m = i; m < j; m++) {
          const k = order[m]!;
          if (arriving[k] === 0) continue;
          const within = this.withinComponent(k === size ? g : c.nodes[k]!);
          if (within.truncated) c.truncated = true;
          for (const [v, n] of within.counts) {
            const kv = slot(v);
            counts[kv] = Math.min(PATHS_CAP, counts[kv]! + arriving[k]! * n);
          }
        }
      }
      for (let m = i; m < j; m++) {
        const k = order[m]!;
        const u = k === size ? g : c.nodes[k]!;
        for (let e = start[u]!; e < start[u + 1]!; e++) {
          const p = parents[e]!;
          if (comp[p] === component) continue;
          const kp = slot(p);
          arriving[kp] = Math.min(PATHS_CAP, arriving[kp]! + counts[k]!);
        }
      }
      i = j;
    }
    for (let k = 0; k < size; k++) c.paths[k] = counts[k]!;
  }

  /**
   * The simple chains from u to each group of u's component staying inside it (u itself: one, the
   * empty chain), walked depth first (a group already on the chain is not entered again: the cycle
   * is cut) until CYCLE_COUNT_BUDGET steps; past it the counts are lower bounds (`truncated`). Kept
   * for the whole export: every closure entering the component at u reuses it.
   */
  private withinComponent(u: number): { counts: Map<number, number>; truncated: boolean } {
    const hit = this.within.get(u);
    if (hit) return hit;
    const { start, parents, comp, onPath } = this;
    const component = comp[u]!;
    const counts = new Map<number, number>([[u, 1]]);
    let truncated = false;
    const stackNode: number[] = [u];
    const stackEdge: number[] = [start[u]!];
    onPath[u] = 1;
    let steps = 0;
    while (stackNode.length > 0) {
      const top = stackNode.length - 1;
      const v = stackNode[top]!;
      const e = stackEdge[top]!;
      if (e >= start[v + 1]!) {
        onPath[v] = 0;
        stackNode.pop();
        stackEdge.pop();
        continue;
      }
      stackEdge[top] = e + 1;
      const p = parents[e]!;
      if (onPath[p] || comp[p] !== component) continue;
      if (++steps > CYCLE_COUNT_BUDGET) {
        truncated = true;
        break;
      }
      counts.set(p, Math.min(PATHS_CAP, (counts.get(p) ?? 0) + 1));
      onPath[p] = 1;
      stackNode.push(p);
      stackEdge.push(start[p]!);
    }
    for (const v of stackNode) onPath[v] = 0;
    const result = { counts, truncated };
    // A huge cycle (thousands of groups in each other) is walked again rather than kept: its
    // chains from every entry would be kept otherwise, the square of its size.
    if (this.compSize[component]! <= WITHIN_MEMO_MAX_COMPONENT) this.within.set(u, result);
    return result;
  }

  /** The groups strictly between g and the ancestor at position k of its closure, nearest g first. */
  chainBetween(c: GroupClosure, k: number): number[] {
    const out: number[] = [];
    for (let j = c.pred[k]!; j !== -1; j = c.pred[j]!) out.push(c.nodes[j]!);
    return out.reverse();
  }
}
