// Hub file: the manager components started by main.ts. Add one line per component, e.g.
//   (c) => ({ always: [new Dispatcher({ ...c })] }),
//   (c) => ({ leader: [new Orchestrator(c), new Scheduler(c)] }),
import { certificatesPart } from './certificates-part.js';
import { clusterPart } from './cluster-part.js';
import type { ManagerPart } from './components.js';

export const managerParts: ManagerPart[] = [clusterPart, certificatesPart];
