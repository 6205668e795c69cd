// The reconcilers alone: orchestrator + scheduler passes over the in-memory store (no etcd, no
// gRPC), to separate placement cost from the cost of writes. BENCH_NODES / BENCH_TASKS as bench.ts.
import { silentLogger } from '../../shared/log/index.js';
import { Orchestrator } from '../../manager/orchestrator/index.js';
import { Scheduler } from '../../manager/scheduler/index.js';
import { MemoryObjectStore } from '../../test/harness/cluster/memory-store.js';
import { makeNode, makeService, makeSpec } from '../../test/harness/cluster/fixtures.js';

export async function reconcilerBench(nodes: number, tasks: number) {
  const store = new MemoryObjectStore();
  const clock = { now: () => Date.now() };
  const log = silentLogger();
  let n = 0;
  const orchestrator = new Orchestrator({ store, clock, log, newId: () => `t${++n}` });
  const scheduler = new Scheduler({ store, clock, log });
  store.seed('node', ...Array.from({ length: nodes }, (_, i) => makeNode(`n${i}`)));
  store.seed(
    'service',
    makeService('bench', makeSpec('bench', { mode: { replicated: { replicas: tasks } } })),
  );
  const t0 = performance.now();
  await orchestrator.runPass();
  const t1 = performance.now();
  const plan = await scheduler.runPass();
  const t2 = performance.now();
  return {
    orchestratorCreateSec: Math.round(t1 - t0) / 1000,
    schedulerPassSec: Math.round(t2 - t1) / 1000,
    assigned: plan.assignments.length,
    placementsPerSec: Math.round(plan.assignments.length / ((t2 - t1) / 1000)),
  };
}
