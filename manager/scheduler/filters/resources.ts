// Reservations (CPU in nano-CPUs, memory in bytes) must fit into the node's capacity minus the
// reservations of the tasks already on it or planned for it in this pass.
import type { Filter } from './types.js';

export const resourcesFilter: Filter = {
  name: 'resources',
  dynamic: true,
  check(group, info) {
    const r = group.task.spec.resources.reservations;
    if ((r.memoryBytes ?? 0) > info.freeMemoryBytes) return 'insufficient memory';
    if ((r.nanoCpus ?? 0) > info.freeNanoCpus) return 'insufficient CPU';
    return undefined;
  },
};
