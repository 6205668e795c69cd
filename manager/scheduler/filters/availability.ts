// Only ready, active nodes take new tasks. Pause keeps the tasks a node has; drain moves them away
// (that is the node watcher's job) — both refuse new ones here.
import type { Filter } from './types.js';

export const availabilityFilter: Filter = {
  name: 'availability',
  dynamic: false,
  check(_group, info) {
    if (info.node.status.state !== 'ready') return 'node not ready';
    if (info.node.spec.availability !== 'active') return 'node availability not active';
    return undefined;
  },
};
