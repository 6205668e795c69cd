// Hub file: the manager components started by main.ts. Add one line per component, e.g.
//   (c) => ({ always: [new Dispatcher({ ...c })] }),
//   (c) => ({ leader: [new Orchestrator(c), new Scheduler(c)] }),
import { certificatesPart } from './certificates-part.js';
import { clusterPart } from './cluster-part.js';
import type { ManagerPart } from './components.js';
import { etcdMaintenanceTarget, StoreMaintenance } from './etcd/index.js';

// Compaction (leader) and defragmentation (every manager's own member) keep etcd under its quota.
const maintenancePart: ManagerPart = (c) => ({
  always: c.etcd
    ? [
        new StoreMaintenance({
          target: etcdMaintenanceTarget(c.etcd),
          log: c.log,
          isLeader: () => c.leader.isLeader(),
        }),
      ]
    : [],
});

export const managerParts: ManagerPart[] = [clusterPart, certificatesPart, maintenancePart];
