// Scheduler benchmark: a real manager (own process) and many simulated agents in this process, each
// speaking the real gRPC session protocol over mTLS and reporting tasks running without starting
// containers (FakeEngine). Measures service create → all tasks running, placements/s and manager
// memory, beside Nomad's C1M placement rate. Prints one JSON document. Run with
// bench/scheduler/run.sh; BENCH_NODES (default 1000) and BENCH_TASKS (default 100000) scale it.
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { createLogger } from '../../shared/log/index.js';
import { startSimAgent, type SimAgent } from '../../test/harness/cluster/sim-agent.js';
import { startJsonChild } from '../common/json-child.js';
import { reconcilerBench } from './reconcilers.js';

const nodes = Number(process.env.BENCH_NODES ?? 1000);
const tasks = Number(process.env.BENCH_TASKS ?? 100_000);
// BENCH_PUBLISH=1: the service publishes an ingress port, so every task's address joins the
// routing mesh's endpoint set, which the manager sends to every agent (the manager's process
// reads the same variable).
const publish = process.env.BENCH_PUBLISH === '1';
const joinConcurrency = 16;
/** Time allowed from service create to all running; the run then reports how far it got. */
const timeoutSec = Number(process.env.BENCH_TIMEOUT_SEC ?? 1800);
// Whatever happens (a join that never completes), the benchmark ends: twice the run's allowance.
setTimeout(
  () => {
    process.stderr.write(`scheduler benchmark: no result after ${2 * timeoutSec} s, giving up\n`);
    manager.child.kill('SIGTERM');
    process.exit(1);
  },
  2 * timeoutSec * 1000,
).unref();
const log = createLogger({ proc: 'bench', level: 'warn' });

const manager = startJsonChild(fileURLToPath(new URL('./manager-proc.js', import.meta.url)), [
  '--max-old-space-size=8192',
  // e.g. BENCH_MANAGER_NODE_OPTIONS=--cpu-prof --cpu-prof-dir=/tmp/prof
  ...(process.env.BENCH_MANAGER_NODE_OPTIONS?.split(/\s+/).filter(Boolean) ?? []),
]);
const next = <T>(key: string) => manager.next<T>(key);

const { address, token } = await next<{ address: string; token: string }>('ready');
const agents: SimAgent[] = [];
const t0 = performance.now();
for (let i = 0; i < nodes; i += joinConcurrency) {
  const batch = Array.from({ length: Math.min(joinConcurrency, nodes - i) }, (_, j) =>
    startSimAgent({
      address,
      token,
      hostname: `sim-${i + j}`,
      log,
      reporterFlushMs: 200,
      containerAddresses: publish,
    }),
  );
  agents.push(...(await Promise.all(batch)));
  if (process.env.BENCH_PROGRESS === '1' && agents.length % 500 < joinConcurrency)
    process.stderr.write(
      JSON.stringify({ joined: agents.length, t: Math.round(performance.now() - t0) / 1000 }) +
        '\n',
    );
}
while (agents.some((a) => a.session.sessionsOpened === 0))
  await new Promise((r) => setTimeout(r, 200));
const joinSec = Math.round(performance.now() - t0) / 1000;
// The clock starts once the joins have settled: the dispatcher paces its peer-route rounds (at
// least 10× a round's duration apart), so the round after the last join can come seconds later,
// and at 1,000 nodes it costs the manager over a second of CPU that is no part of scheduling.
while (agents.some((a) => a.network.routes.length < nodes - 1))
  await new Promise((r) => setTimeout(r, 200));
const settleSec = Math.round(performance.now() - t0) / 1000 - joinSec;

const agentsCpuBefore = process.cpuUsage();
manager.send(`go ${tasks} ${timeoutSec}`);
/** What manager-proc.ts reports (the fields used here; the rest is printed as it comes). */
interface RunResult {
  [field: string]: unknown;
  createToAllRunningSec: number;
  runningTasksPerSec: number;
  placementsPerSec: number;
  managerPeakRssMiB: number;
  cpuSec: Record<string, number>;
}
const { result } = await next<{ result: RunResult }>('result');
const agentsCpu = process.cpuUsage(agentsCpuBefore);
// BENCH_UPDATE_TASKS (0 = skipped): a second service of that many replicas, created, then updated
// BENCH_UPDATE_PARALLELISM (1000) tasks at a time, timed by the manager from its store events.
const updateTasks = Number(process.env.BENCH_UPDATE_TASKS ?? 0);
let update: Record<string, unknown> | undefined;
if (updateTasks > 0) {
  const before = process.cpuUsage();
  manager.send(
    `update ${updateTasks} ${Number(process.env.BENCH_UPDATE_PARALLELISM ?? 1000)} ${timeoutSec}`,
  );
  update = (await next<{ update: Record<string, unknown> }>('update')).update;
  const used = process.cpuUsage(before);
  update.agentsCpuSecCreateAndUpdate = Math.round((used.user + used.system) / 1e4) / 100;
}
result.cpuSec = {
  ...result.cpuSec,
  agents: Math.round((agentsCpu.user + agentsCpu.system) / 1e4) / 100,
};
const nomadC1mPlacementsPerSec = Math.round(1_000_000 / 300);
const ratio = (perSec: number) => Math.round((perSec / nomadC1mPlacementsPerSec) * 100) / 100;
// The simulated agents and the manager are stopped first: the in-memory pass would starve their
// heartbeats (and the manager would rightly mark nodes down).
const perNode = agents.map((a) => a.engine.containers.size);
const agentsPeakRssMiB = Math.round(process.resourceUsage().maxRSS / 1024);
await Promise.all([manager.exit(), ...agents.map((a) => a.stop())]);
// Placement without etcd and gRPC, at the target scale, for the scheduler's own cost.
const inMemory = await reconcilerBench(
  Number(process.env.BENCH_INMEMORY_NODES ?? 1000),
  Number(process.env.BENCH_INMEMORY_TASKS ?? 100_000),
);
const out = {
  benchmark: 'scheduler',
  machine: { cpus: cpus().length, memoryMiB: Math.round(totalmem() / 2 ** 20) },
  config: { nodes, tasks },
  summary: {
    createToAllRunningSec: result.createToAllRunningSec,
    endToEndTasksPerSec: result.runningTasksPerSec,
    placementOnlyTasksPerSec: inMemory.plannerOnlyPlacementsPerSec,
    managerPeakRssMiB: result.managerPeakRssMiB,
    nomadC1mTasksPerSec: nomadC1mPlacementsPerSec,
  },
  joinAndConnectSec: joinSec,
  peerRoutesSettledSec: Math.round(settleSec * 1000) / 1000,
  ...result,
  ...(update ? { serviceUpdate: update } : {}),
  containersPerNode: { min: Math.min(...perNode), max: Math.max(...perNode) },
  agentsProcessPeakRssMiB: agentsPeakRssMiB,
  reconcilersInMemory: {
    nodes: Number(process.env.BENCH_INMEMORY_NODES ?? 1000),
    tasks: Number(process.env.BENCH_INMEMORY_TASKS ?? 100_000),
    ...inMemory,
  },
  reference: {
    name: 'Nomad C1M (1,000,000 containers on 5,000 hosts in under 5 minutes)',
    placementsPerSec: nomadC1mPlacementsPerSec,
    // create → running here, against containers started there.
    ratioEndToEnd: ratio(result.runningTasksPerSec),
    // create → assigned (committed to etcd), against Nomad's placements.
    ratioPlacementsCommitted: ratio(result.placementsPerSec),
    // The planner alone, no store: the scheduler's own decision cost.
    ratioPlannerOnly: ratio(inMemory.plannerOnlyPlacementsPerSec),
    note: 'Nomad ran on a large cloud cluster; this run shares 2 cores between the manager, etcd and all simulated agents',
  },
};
process.stdout.write(JSON.stringify(out, null, 2) + '\n');
process.exit(0);
