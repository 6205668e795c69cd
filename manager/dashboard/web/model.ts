// The page's copy of the cluster: filled by the feed's snapshot, kept by its deltas, and the
// counts the views need (tasks per node, replicas running, update progress), derived on demand.
import type { FeedDelta, FeedSnapshot, NodeView, ServiceView, TaskView } from './wire.js';

export class ClusterModel {
  nodes = new Map<string, NodeView>();
  services = new Map<string, ServiceView>();
  tasks = new Map<string, TaskView>();

  load(s: FeedSnapshot): void {
    this.nodes = new Map(s.nodes.map((n) => [n.id, n]));
    this.services = new Map(s.services.map((x) => [x.id, x]));
    this.tasks = new Map(s.tasks.map((t) => [t.id, t]));
  }

  apply(d: FeedDelta): void {
    patch(this.nodes, d.nodes);
    patch(this.services, d.services);
    patch(this.tasks, d.tasks);
  }

  /** Tasks meant to run on each node. */
  tasksByNode(): Map<string, TaskView[]> {
    const out = new Map<string, TaskView[]>();
    for (const t of this.tasks.values()) {
      if (!t.nodeId) continue;
      const list = out.get(t.nodeId) ?? [];
      list.push(t);
      out.set(t.nodeId, list);
    }
    return out;
  }

  /** Docker's REPLICAS column, and how many running tasks run the current version. */
  replicas(s: ServiceView): { running: number; desired: number; current: number } {
    let running = 0;
    let desired = 0;
    let current = 0;
    for (const t of this.tasks.values()) {
      if (t.serviceId !== s.id || t.desiredState !== 'running') continue;
      desired += 1;
      if (t.state !== 'running') continue;
      running += 1;
      if (t.serviceVersion === s.version) current += 1;
    }
    return { running, desired: s.mode === 'replicated' ? (s.replicas ?? 0) : desired, current };
  }
}

function patch<T>(map: Map<string, T>, changes: Record<string, T | null>): void {
  for (const [id, v] of Object.entries(changes)) {
    if (v === null) map.delete(id);
    else map.set(id, v);
  }
}
