// Within one preference group, nodes are ranked by fewest tasks of the service being placed, then
// fewest tasks overall, then node id (so equal plans come out the same every time).
import type { NodeInfo } from '../node-info.js';

export function compareNodes(serviceId: string, a: NodeInfo, b: NodeInfo): number {
  return (
    a.serviceTasks(serviceId) - b.serviceTasks(serviceId) ||
    a.totalTasks - b.totalTasks ||
    (a.node.id < b.node.id ? -1 : a.node.id > b.node.id ? 1 : 0)
  );
}

/** A binary min-heap of nodes; a node's rank only grows while it is out of the heap. */
export class NodeHeap {
  private readonly items: NodeInfo[] = [];

  constructor(private readonly less: (a: NodeInfo, b: NodeInfo) => boolean) {}

  get size(): number {
    return this.items.length;
  }

  push(n: NodeInfo): void {
    const a = this.items;
    a.push(n);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(a[i], a[p])) break;
      [a[i], a[p]] = [a[p], a[i]];
      i = p;
    }
  }

  pop(): NodeInfo | undefined {
    const a = this.items;
    if (a.length === 0) return undefined;
    const top = a[0];
    const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && this.less(a[l], a[m])) m = l;
        if (r < a.length && this.less(a[r], a[m])) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m], a[i]];
        i = m;
      }
    }
    return top;
  }
}
