// The scheduler's in-memory view of one node during a pass: what is already committed to it
// (tasks that have not stopped) plus what this pass has planned for it.
import type { Node, PortConfig, Task } from '../../shared/model/index.js';
import { isTerminal } from '../../shared/model/index.js';

export class NodeInfo {
  reservedNanoCpus = 0;
  reservedMemoryBytes = 0;
  /** 'tcp/8080' for each host-mode port a live task here publishes. */
  readonly hostPorts = new Set<string>();
  readonly tasksByService = new Map<string, number>();
  totalTasks = 0;

  constructor(readonly node: Node) {}

  get freeNanoCpus(): number {
    return this.node.description.resources.nanoCpus - this.reservedNanoCpus;
  }

  get freeMemoryBytes(): number {
    return this.node.description.resources.memoryBytes - this.reservedMemoryBytes;
  }

  serviceTasks(serviceId: string): number {
    return this.tasksByService.get(serviceId) ?? 0;
  }

  /** Counts a task against this node; tasks shutting down still hold resources until they stop. */
  add(task: Task): void {
    const r = task.spec.resources.reservations;
    this.reservedNanoCpus += r.nanoCpus ?? 0;
    this.reservedMemoryBytes += r.memoryBytes ?? 0;
    for (const p of hostModePorts(task)) this.hostPorts.add(portKey(p));
    this.tasksByService.set(task.serviceId, this.serviceTasks(task.serviceId) + 1);
    this.totalTasks++;
  }
}

export function hostModePorts(task: Task): PortConfig[] {
  return task.endpointPorts.filter((p) => p.mode === 'host' && p.published);
}

export function portKey(p: PortConfig): string {
  return `${p.protocol}/${p.published}`;
}

/** True while a task holds a place on its node: assigned and not yet stopped. */
export function occupiesNode(task: Task): boolean {
  return (
    task.nodeId !== undefined && task.status.state !== 'pending' && !isTerminal(task.status.state)
  );
}

export function buildNodeInfos(
  nodes: readonly Node[],
  tasks: readonly Task[],
): Map<string, NodeInfo> {
  const infos = new Map<string, NodeInfo>();
  for (const n of nodes) infos.set(n.id, new NodeInfo(n));
  for (const t of tasks) {
    if (!occupiesNode(t)) continue;
    infos.get(t.nodeId!)?.add(t);
  }
  return infos;
}
