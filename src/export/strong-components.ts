/**
 * The strongly connected components of a graph in compressed adjacency (the edges of node i are
 * `targets[start[i] .. start[i+1])`), by Tarjan's algorithm without recursion (a deep nesting would
 * overflow the stack). Tarjan closes a component after every component reachable from it, so with
 * edges pointing from a member to its group, a higher component number comes first in topological
 * order (members before their groups).
 */
export function strongComponents(start: Int32Array, targets: Int32Array): { comp: Int32Array; sizes: Int32Array } {
  const n = start.length - 1;
  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const onStack = new Uint8Array(n);
  const comp = new Int32Array(n).fill(-1);
  const stack: number[] = [];
  const sizes: number[] = [];
  let next = 0;
  for (let s = 0; s < n; s++) {
    if (index[s] !== -1) continue;
    const callNode: number[] = [s];
    const callEdge: number[] = [start[s]!];
    index[s] = low[s] = next++;
    stack.push(s);
    onStack[s] = 1;
    while (callNode.length > 0) {
      const top = callNode.length - 1;
      const v = callNode[top]!;
      const e = callEdge[top]!;
      if (e < start[v + 1]!) {
        callEdge[top] = e + 1;
        const w = targets[e]!;
        if (index[w] === -1) {
          index[w] = low[w] = next++;
          stack.push(w);
          onStack[w] = 1;
          callNode.push(w);
          callEdge.push(start[w]!);
        } else if (onStack[w]) low[v] = Math.min(low[v]!, index[w]!);
        continue;
      }
      callNode.pop();
      callEdge.pop();
      if (callNode.length > 0) {
        const u = callNode[callNode.length - 1]!;
        low[u] = Math.min(low[u]!, low[v]!);
      }
      if (low[v] === index[v]) {
        let size = 0;
        for (;;) {
          const x = stack.pop()!;
          onStack[x] = 0;
          comp[x] = sizes.length;
          size++;
          if (x === v) break;
        }
        sizes.push(size);
      }
    }
  }
  return { comp, sizes: Int32Array.from(sizes) };
}
