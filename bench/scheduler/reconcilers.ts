// The reconcilers alone, without etcd and gRPC, to separate placement cost from the cost of writes:
// the planner by itself (one pure call over every pending task), then orchestrator + scheduler
// passes over the in-memory store (the same cache, transactions and batches as the etcd store,
// with the embedded etcd's limits), until every task is assigned; and the manager's own path, the
// orchestrator creating tasks placed by the scheduler's planner (one write each).
import { silentLogger } from '../../shared/log/index.js';
import { embeddedEtcdLimits } from '../../manager/etcd/index.js';
import { Orchestrator } from '../../manager/orchestrator/index.js';
import { planPlacement, Scheduler } from '../../manager/scheduler/index.js';
import { InMemoryObjectStore } from '../../manager/store/index.js';
import { makeNode, makeService, makeSpec } from '../../test/harness/cluster/fixtures.js';

const clock = { now: () => Date.now() };
const log = silentLogger();

async function cluster(nodes: number, tasks: number) {
  const store = new InMemoryObjectStore({ limits: embeddedEtcdLimits });
  await store.batch((tx) => {
    for (let i = 0; i < nodes; i++) tx.create('node', makeNode(`n${i}`));
    tx.create(
      'service',
      makeService('bench', makeSpec('bench', { mode: { replicated: { replicas: tasks } } })),
    );
  });
  return store;
}

export async function reconcilerBench(nodes: number, tasks: number) {
  const store = await cluster(nodes, tasks);
  let n = 0;
  const orchestrator = new Orchestrator({ store, clock, log, newId: () => `t${++n}` });
  const scheduler = new Scheduler({ store, clock, log });
  const cpu = process.cpuUsage();
  const cpuSec = () => {
    const u = process.cpuUsage(cpu);
    return (u.user + u.system) / 1e6;
  };
  const t0 = performance.now();
  // The orchestrator creates at most maxCreatesPerPass (10,000) tasks a pass.
  while ((await orchestrator.runPass()).wakeAtMs !== undefined);
  const t1 = performance.now();
  const c1 = cpuSec();
  // The planner alone over every pending task, as one scheduling decision (nothing written).
  const plan = planPlacement(store.list('node'), store.list('task'));
  const t2 = performance.now();
  const c2 = cpuSec();
  // The scheduler plans at most 5,000 tasks a pass: run passes until none is left.
  let assigned = 0;
  let passes = 0;
  for (;;) {
    const p = await scheduler.runPass();
    assigned += p.assignments.length;
    passes++;
    if (!p.deferred) break;
  }
  const t3 = performance.now();
  const c3 = cpuSec();
  // As the manager runs them: new tasks placed before they are written.
  const placedStore = await cluster(nodes, tasks);
  const placer = new Scheduler({ store: placedStore, clock, log });
  const placing = new Orchestrator({ store: placedStore, clock, log, placement: placer });
  const t4 = performance.now();
  const c4 = cpuSec();
  while ((await placing.runPass()).wakeAtMs !== undefined);
  const t5 = performance.now();
  const c5 = cpuSec();
  const placed = placedStore.list('task').filter((t) => t.status.state === 'assigned').length;
  const sec = (ms: number) => Math.round(ms) / 1000;
  return {
    createdAssignedSec: sec(t5 - t4),
    createdAssigned: placed,
    createdAssignedPerSec: Math.round(placed / ((t5 - t4) / 1000)),
    orchestratorCreateSec: sec(t1 - t0),
    plannerOnlySec: sec(t2 - t1),
    plannerOnlyAssigned: plan.assignments.length,
    plannerOnlyPlacementsPerSec: Math.round(plan.assignments.length / ((t2 - t1) / 1000)),
    schedulerWithCommitsSec: sec(t3 - t2),
    schedulerPasses: passes,
    assigned,
    placementsPerSec: Math.round(assigned / ((t3 - t2) / 1000)),
    // CPU seconds of each phase: on a shared machine, less noisy than the wall times above.
    cpuSec: {
      orchestratorCreate: sec(c1 * 1000),
      schedulerWithCommits: sec((c3 - c2) * 1000),
      createdAssigned: sec((c5 - c4) * 1000),
    },
  };
}
