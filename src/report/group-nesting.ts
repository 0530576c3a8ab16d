const EMPTY = new Int32Array(0);
/** About 8 MB of closures: enough for every group of a large tenant unless its nesting is pathological. */
const MEMO_LIMIT = 2_000_000;

/**
 * Which groups each group is nested in (effective memberOf links from a group to a group), and the
 * groups it is in transitively, computed once per group by a breadth-first walk and kept: a user in
 * ten groups costs ten lookups. Membership of a group counts for every transitive member
 * (CONTRACT.md section 5), so these are the groups a member of `g` holds besides `g`.
 */
export class GroupNesting {
  private readonly from: number[] = [];
  private readonly to: number[] = [];
  private start: Int32Array = EMPTY;
  private parents: Int32Array = EMPTY;
  private readonly memo = new Map<number, Int32Array>();
  /** Closure entries kept, over all groups: past MEMO_LIMIT a closure is walked again instead of kept. */
  private memoSize = 0;
  private seen: Int32Array = EMPTY;
  private walk = 0;

  /** Group `child` is a member of group `parent`. */
  addEdge(child: number, parent: number): void {
    this.from.push(child);
    this.to.push(parent);
  }

  /** Builds the adjacency once every edge is in; `groups` is the number of group indexes. */
  seal(groups: number): void {
    const start = new Int32Array(groups + 1);
    for (const c of this.from) start[c + 1]!++;
    for (let i = 0; i < groups; i++) start[i + 1]! += start[i]!;
    const fill = start.slice(0, groups);
    const parents = new Int32Array(this.from.length);
    for (let k = 0; k < this.from.length; k++) parents[fill[this.from[k]!]!++] = this.to[k]!;
    this.start = start;
    this.parents = parents;
    this.from.length = 0;
    this.to.length = 0;
    this.seen = new Int32Array(groups);
  }

  get hasNesting(): boolean {
    return this.parents.length > 0;
  }

  /** The groups `g` is nested in, directly or not (never g itself, even in a cycle). */
  ancestors(g: number): Int32Array {
    if (g >= this.start.length - 1 || this.start[g] === this.start[g + 1]) return EMPTY;
    const hit = this.memo.get(g);
    if (hit) return hit;
    const walk = ++this.walk;
    const out: number[] = [];
    this.seen[g] = walk;
    const queue = [g];
    for (let head = 0; head < queue.length; head++) {
      const u = queue[head]!;
      for (let e = this.start[u]!; e < this.start[u + 1]!; e++) {
        const p = this.parents[e]!;
        if (this.seen[p] === walk) continue;
        this.seen[p] = walk;
        out.push(p);
        queue.push(p);
      }
    }
    const result = Int32Array.from(out);
    if (this.memoSize + result.length <= MEMO_LIMIT) {
      this.memo.set(g, result);
      this.memoSize += result.length;
    }
    return result;
  }
}
