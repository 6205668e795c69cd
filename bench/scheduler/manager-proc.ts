// The manager side of the scheduler benchmark, in its own process so its memory is its own: a real
// manager (embedded etcd, CA, API, dispatcher, reconcilers). Protocol on stdio, one JSON per line:
//   out {"ready":true,"address","token"}   in "go <tasks> <timeoutSec>"   out {"result":{...}}   in "exit"
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { freePort } from '../../manager/etcd/index.js';
import { runManager } from '../../manager/main.js';
import { serviceSpecFixture } from '../../manager/store/fixtures.js';
import { newId, type StoreStats } from '../../manager/store/index.js';
import type { PortConfig, Service, ServiceSpec } from '../../shared/model/index.js';

process.env.FLOTILLA_LOG_LEVEL ??= 'warn';

// BENCH_PUBLISH=1 (bench.ts): one ingress port, so the routing mesh's endpoint set holds every task.
const published: PortConfig[] =
  process.env.BENCH_PUBLISH === '1'
    ? [{ target: 80, published: 30080, protocol: 'tcp', mode: 'ingress' }]
    : [];

const spec = (replicas: number, name = 'bench'): ServiceSpec => {
  const s = serviceSpecFixture(name);
  return {
    ...s,
    mode: { replicated: { replicas } },
    taskTemplate: {
      ...s.taskTemplate,
      containerSpec: { ...s.taskTemplate.containerSpec, image: 'busybox:latest' },
    },
    endpointSpec: { mode: 'vip', ports: published },
  };
};

const dir = await mkdtemp(join(tmpdir(), 'flotilla-sched-bench-'));
let port = await freePort();
while (port > 65000) port = await freePort();
const address = `127.0.0.1:${port}`;
const manager = await runManager({
  dataRoot: join(dir, 'manager'),
  execRoot: join(dir, 'run'),
  listenGrpc: address,
  advertiseAddr: '127.0.0.1',
  init: true,
  socket: false,
  // The default pool (10.240.0.0/16 in /24s) holds 256 node subnets; 1,000 nodes need a larger
  // one (`flotilla manager --init --default-addr-pool 10.128.0.0/9`).
  defaultAddrPool: '10.128.0.0/9',
  // 1,000 simulated agents join from 127.0.0.1: no per-address join limit.
  apiJoinRatePerMinute: 0,
});
const store = manager.components.store;
// Stopped by the benchmark's watchdog: take the embedded etcd down with us.
process.once('SIGTERM', () => void manager.stop().finally(() => process.exit(1)));
const say = (o: unknown) => process.stdout.write(JSON.stringify(o) + '\n');
say({ ready: true, address, token: manager.components.ca.joinToken('worker') });

let peakRssBytes = 0;
let peakHeapBytes = 0;
const sample = () => {
  const m = process.memoryUsage();
  peakRssBytes = Math.max(peakRssBytes, m.rss);
  peakHeapBytes = Math.max(peakHeapBytes, m.heapUsed);
};
const sampler = setInterval(sample, 250);
// Event-loop stalls of the manager process (etcd runs in its own process).
const loopDelay = monitorEventLoopDelay({ resolution: 20 });
loopDelay.enable();
const stats = (store as unknown as { stats: StoreStats }).stats;

/**
 * The embedded etcd's file now: allocated and in use (MiB), its revision, and whether its history
 * was compacted (StoreMaintenance compacts once a minute and defragments when half the file is free).
 */
async function etcdDb() {
  const client = manager.components.etcd;
  if (!client) return undefined;
  const s = await client.maintenance.status();
  // A read at revision 1 fails once anything was compacted.
  const compacted = await client
    .get('/flotilla/none')
    .revision('1')
    .exec()
    .then(
      () => false,
      (err: unknown) => /compacted/i.test(String(err)),
    );
  const mib = (b: string) => Math.round(Number(b) / 2 ** 20);
  return {
    dbSizeMiB: mib(s.dbSize),
    dbSizeInUseMiB: mib(s.dbSizeInUse),
    revision: Number(s.header.revision),
    compacted,
  };
}

/** CPU seconds the embedded etcd has used so far (utime + stime from /proc), or NaN. */
function etcdCpuSec(): number {
  try {
    const pid = readFileSync(join(dir, 'manager', 'etcd.pid'), 'utf8').trim();
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    // utime and stime are fields 14 and 15 of /proc/PID/stat, in clock ticks (100 per second).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

async function run(tasks: number, timeoutSec: number) {
  const readyNodes = store.list('node').filter((n) => n.status.state === 'ready').length;
  const t0 = performance.now();
  const now = new Date().toISOString();
  const service: Service = {
    id: newId(),
    version: 1,
    createdAt: now,
    updatedAt: now,
    spec: spec(tasks),
    ...(published.length > 0 ? { endpoint: { ports: published } } : {}),
  };
  await store.update((tx) => tx.create('service', service));
  let timedOut = false;
  let created = 0;
  let assigned = 0;
  let running = 0;
  const states = new Map<string, string>();
  let tCreated = 0;
  let tAssigned = 0;
  const statsBefore = { ...stats };
  const cpuBefore = process.cpuUsage();
  const etcdCpuBefore = etcdCpuSec();
  loopDelay.reset();
  // BENCH_PROGRESS=1: one line a few seconds on stderr, to see where a run spends its time.
  const progress =
    process.env.BENCH_PROGRESS === '1'
      ? setInterval(() => {
          const t = Math.round(performance.now() - t0) / 1000;
          process.stderr.write(
            JSON.stringify({
              t,
              created,
              assigned,
              running,
              commits: stats.commits,
              ops: stats.ops,
            }) + '\n',
          );
        }, 5000)
      : undefined;
  await new Promise<void>((resolve) => {
    const unsubscribe = store.subscribe((e) => {
      if (e.kind !== 'task' || e.object.serviceId !== service.id) return;
      const before = states.get(e.object.id);
      const after = e.type === 'delete' ? undefined : e.object.status.state;
      if (before === undefined && after !== undefined) created++;
      const wasAssigned = before !== undefined && before !== 'pending' && before !== 'new';
      const isAssigned = after !== undefined && after !== 'pending' && after !== 'new';
      if (!wasAssigned && isAssigned) assigned++;
      if (before !== 'running' && after === 'running') running++;
      if (before === 'running' && after !== 'running') running--;
      if (after === undefined) states.delete(e.object.id);
      else states.set(e.object.id, after);
      if (!tCreated && created >= tasks) tCreated = performance.now();
      if (!tAssigned && assigned >= tasks) tAssigned = performance.now();
      if (running >= tasks) {
        unsubscribe();
        resolve();
      }
    });
    // The run stops by itself: after BENCH_TIMEOUT_SEC it reports how far it got.
    setTimeout(() => {
      timedOut = true;
      unsubscribe();
      resolve();
    }, timeoutSec * 1000).unref();
  });
  const tRunning = performance.now();
  const cpu = process.cpuUsage(cpuBefore);
  const etcdCpu = etcdCpuSec() - etcdCpuBefore;
  clearInterval(progress);
  sample();
  const d = (k: keyof StoreStats) => stats[k] - statsBefore[k];
  const secs = (ms: number) => Math.round(ms) / 1000;
  return {
    ...(timedOut ? { timedOut: true, timeoutSec, created, assigned, running } : {}),
    nodes: readyNodes,
    tasks,
    createToAllCreatedSec: secs(tCreated - t0),
    createToAllAssignedSec: secs(tAssigned - t0),
    createToAllRunningSec: secs(tRunning - t0),
    placementsPerSec: Math.round(tasks / ((tAssigned - t0) / 1000)),
    runningTasksPerSec: Math.round(tasks / ((tRunning - t0) / 1000)),
    managerPeakRssMiB: Math.round(peakRssBytes / 2 ** 20),
    managerPeakHeapMiB: Math.round(peakHeapBytes / 2 ** 20),
    etcd: {
      transactions: d('commits'),
      conflicts: d('conflicts'),
      writes: d('ops'),
      writesPerTask: Math.round((d('ops') / tasks) * 100) / 100,
      writesPerSec: Math.round(d('ops') / ((tRunning - t0) / 1000)),
      meanWritesPerTransaction: Math.round(d('ops') / Math.max(1, d('commits'))),
      maxWritesPerTransaction: stats.maxOpsPerCommit,
      mebibytesWritten: Math.round(d('bytes') / 2 ** 20),
      watchEvents: d('events'),
    },
    // CPU time used during the run, less sensitive than wall time to what else the machine runs.
    cpuSec: {
      manager: Math.round((cpu.user + cpu.system) / 1e4) / 100,
      etcd: Math.round(etcdCpu * 100) / 100,
    },
    eventLoopDelayMs: {
      p99: Math.round(loopDelay.percentile(99) / 1e6),
      max: Math.round(loopDelay.max / 1e6),
    },
  };
}

/**
 * Waits until `done` holds for the running tasks of a service (counted by service version), or
 * the timeout; returns the seconds it took, or undefined on timeout.
 */
function runningOf(
  serviceId: string,
  done: (runningByVersion: Map<number, number>) => boolean,
  timeoutSec: number,
): Promise<number | undefined> {
  const t0 = performance.now();
  const running = new Map<string, number>();
  const byVersion = new Map<number, number>();
  const count = (version: number, d: number) =>
    byVersion.set(version, (byVersion.get(version) ?? 0) + d);
  for (const t of store.list('task'))
    if (t.serviceId === serviceId && t.status.state === 'running') {
      running.set(t.id, t.serviceVersion);
      count(t.serviceVersion, 1);
    }
  return new Promise((resolve) => {
    if (done(byVersion)) return resolve(0);
    const timer = setTimeout(() => {
      unsubscribe();
      resolve(undefined);
    }, timeoutSec * 1000);
    timer.unref();
    const unsubscribe = store.subscribe((e) => {
      if (e.kind !== 'task' || e.object.serviceId !== serviceId) return;
      const was = running.get(e.object.id);
      const is = e.type !== 'delete' && e.object.status.state === 'running';
      if (was !== undefined && !is) {
        running.delete(e.object.id);
        count(was, -1);
      } else if (was === undefined && is) {
        running.set(e.object.id, e.object.serviceVersion);
        count(e.object.serviceVersion, 1);
      } else return;
      if (done(byVersion)) {
        clearTimeout(timer);
        unsubscribe();
        resolve(Math.round(performance.now() - t0) / 1000);
      }
    });
  });
}

/**
 * A second service of `tasks` replicas, created, then updated (a new image) with `parallelism`
 * tasks at a time, stop-first, no monitor period: timed from the update's commit until every
 * task runs the new version and none the old, from the store's events.
 */
async function updatePhase(tasks: number, parallelism: number, timeoutSec: number) {
  const now = new Date().toISOString();
  const base = spec(tasks, 'bench-update');
  const service: Service = { id: newId(), version: 1, createdAt: now, updatedAt: now, spec: base };
  await store.update((tx) => tx.create('service', service));
  const createSec = await runningOf(service.id, (v) => (v.get(1) ?? 0) >= tasks, timeoutSec);
  if (createSec === undefined) return { tasks, timedOut: 'create', timeoutSec };
  const next: ServiceSpec = {
    ...base,
    taskTemplate: {
      ...base.taskTemplate,
      containerSpec: { ...base.taskTemplate.containerSpec, image: 'busybox:1.36' },
    },
    updateConfig: { ...base.updateConfig, parallelism, delayNs: 0, monitorNs: 0 },
  };
  const cpuBefore = process.cpuUsage();
  const etcdCpuBefore = etcdCpuSec();
  const statsBefore = { ...stats };
  const waited = runningOf(
    service.id,
    (v) => (v.get(2) ?? 0) >= tasks && (v.get(1) ?? 0) === 0,
    timeoutSec,
  );
  await store.update((tx) => {
    const cur = tx.get('service', service.id)!;
    tx.update('service', {
      ...cur,
      spec: next,
      previousSpec: cur.spec,
      version: cur.version + 1,
      updatedAt: new Date().toISOString(),
    });
  });
  const updateSec = await waited;
  const cpu = process.cpuUsage(cpuBefore);
  sample();
  return {
    tasks,
    parallelism,
    createToAllRunningSec: createSec,
    ...(updateSec === undefined
      ? { timedOut: 'update', timeoutSec }
      : { updateToAllReplacedSec: updateSec, replacedTasksPerSec: Math.round(tasks / updateSec) }),
    etcdWrites: stats.ops - statsBefore.ops,
    cpuSec: {
      manager: Math.round((cpu.user + cpu.system) / 1e4) / 100,
      etcd: Math.round((etcdCpuSec() - etcdCpuBefore) * 100) / 100,
    },
    managerPeakRssMiB: Math.round(peakRssBytes / 2 ** 20),
    etcdDbAfter: await etcdDb(),
  };
}

for await (const line of createInterface({ input: process.stdin })) {
  const [cmd, arg, ...rest] = line.trim().split(/\s+/);
  if (cmd === 'go') {
    const result = await run(Number(arg), Number(rest[0] ?? 1800));
    say({ result: { ...result, etcdDbAfter: await etcdDb() } });
  }
  if (cmd === 'update')
    say({
      update: await updatePhase(Number(arg), Number(rest[0]), Number(rest[1] ?? 1800)),
    });
  if (cmd === 'exit') break;
}
clearInterval(sampler);
await manager.stop();
await rm(dir, { recursive: true, force: true });
process.exit(0);
