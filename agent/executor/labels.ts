// Labels that tie a container to its task, so an agent that restarts (or reconnects) recognises
// the containers it already runs instead of starting them again.
import type { Task } from '../../shared/model/index.js';

export const taskLabels = {
  taskId: 'com.flotilla.task.id',
  serviceId: 'com.flotilla.service.id',
  slot: 'com.flotilla.task.slot',
  nodeId: 'com.flotilla.node.id',
} as const;

export function labelsFor(task: Task, nodeId: string): Record<string, string> {
  return {
    [taskLabels.taskId]: task.id,
    [taskLabels.serviceId]: task.serviceId,
    [taskLabels.slot]: String(task.slot),
    [taskLabels.nodeId]: nodeId,
  };
}

/** `<service>.<slot or node>.<task id>`, as Swarm names task containers. */
export function containerName(task: Task): string {
  const service =
    task.spec.containerSpec.labels['com.flotilla.service.name'] ?? task.serviceId.slice(0, 12);
  return `${service}.${task.slot > 0 ? task.slot : (task.nodeId ?? '').slice(0, 12)}.${task.id}`;
}
