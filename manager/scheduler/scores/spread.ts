// Placement preferences (`spread=node.labels.zone`) as Swarm does them: nodes form a tree, one level
// per preference, keyed by the label's value ('' for nodes without it). Each task goes down the
// branch holding the fewest tasks of the service, then to the best node of that leaf. With no
// preferences the tree is a single leaf.
import { spreadValue } from '../../placement/index.js';
import type { NodeInfo } from '../node-info.js';
import { compareNodes, NodeHeap } from './node-order.js';

export class SpreadGroup {
  /** Tasks of the service on nodes in this subtree (existing and planned). */
  count = 0;
  readonly children = new Map<string, SpreadGroup>();
  heap?: NodeHeap;
  /** False once every node under this group has dropped out. */
  live = true;
}

export function buildSpreadTree(
  serviceId: string,
  nodes: readonly NodeInfo[],
  preferences: readonly string[],
): SpreadGroup {
  const less = (a: NodeInfo, b: NodeInfo) => compareNodes(serviceId, a, b) < 0;
  const root = new SpreadGroup();
  for (const n of nodes) {
    let g = root;
    g.count += n.serviceTasks(serviceId);
    for (const pref of preferences) {
      const v = spreadValue(n.node, pref);
      let child = g.children.get(v);
      if (!child) g.children.set(v, (child = new SpreadGroup()));
      g = child;
      g.count += n.serviceTasks(serviceId);
    }
    (g.heap ??= new NodeHeap(less)).push(n);
  }
  return root;
}

/**
 * Walks to the leaf with the fewest tasks and returns the path (root first). Ties go to the
 * smaller value so plans are deterministic. Returns undefined when no live leaf remains.
 */
export function pickLeaf(root: SpreadGroup): SpreadGroup[] | undefined {
  outer: while (root.live) {
    const path = [root];
    let g = root;
    while (g.children.size > 0) {
      let best: [string, SpreadGroup] | undefined;
      for (const entry of g.children) {
        const c = entry[1];
        if (!c.live) continue;
        if (!best || c.count < best[1].count || (c.count === best[1].count && entry[0] < best[0]))
          best = entry;
      }
      if (!best) {
        g.live = false;
        continue outer;
      }
      g = best[1];
      path.push(g);
    }
    if (!g.heap || g.heap.size === 0) {
      g.live = false;
      continue;
    }
    return path;
  }
  return undefined;
}
