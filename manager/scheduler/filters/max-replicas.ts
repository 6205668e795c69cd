// placement.maxReplicasPerNode: at most that many tasks of the service on one node (0 = no limit).
import type { Filter } from './types.js';

export const maxReplicasFilter: Filter = {
  name: 'max-replicas',
  dynamic: true,
  check(group, info) {
    const max = group.task.spec.placement.maxReplicasPerNode;
    if (!max) return undefined;
    return info.serviceTasks(group.serviceId) >= max ? 'max replicas per node reached' : undefined;
  },
};
