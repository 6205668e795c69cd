// Host-mode published ports must be free on the node. A clash is final for this node in this
// pass (ports are checked before resources for that reason: resource shortfalls may clear once
// tasks being shut down here have stopped, a port held by a running task will not).
import { hostModePorts, portKey } from '../node-info.js';
import type { Filter } from './types.js';

export const portsFilter: Filter = {
  name: 'ports',
  dynamic: true,
  check(group, info) {
    for (const p of hostModePorts(group.task))
      if (info.hostPorts.has(portKey(p))) return 'host-mode port already in use';
    return undefined;
  },
};
