// The control-plane benchmark (BENCH_MODE=simulated): a real manager (embedded etcd, API over TLS,
// dispatcher, reconcilers) and three simulated agents (real join and gRPC sessions, fake
// containers) in this process. It measures the manager alone; real.ts measures what users see.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManagerClient } from '../../cli/clients/manager-client.js';
import { ContextStore } from '../../cli/contexts/index.js';
import { freePort } from '../../manager/etcd/index.js';
import { runManager } from '../../manager/main.js';
import { createLogger } from '../../shared/log/index.js';
import type { Service, ServiceSpec } from '../../shared/model/index.js';
import { defaultServiceSpec } from '../../shared/model/service-defaults.js';
import { startSimAgent, type SimAgent } from '../../test/harness/cluster/sim-agent.js';

const log = createLogger({ proc: 'bench', level: 'error' });

async function until(check: () => boolean, timeoutMs = 300_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function timed(fn: () => Promise<void>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return Math.round(performance.now() - t0) / 1000;
}

export async function flotillaSimulated(
  replicas: number,
  parallelism: number,
): Promise<Record<string, number>> {
  const dir = await mkdtemp(join(tmpdir(), 'flt-converge-bench-'));
  const contexts = new ContextStore(join(dir, 'config'));
  let port: number;
  do port = await freePort();
  while (port >= 65000);
  const address = `127.0.0.1:${port}`;
  const manager = await runManager(
    {
      dataRoot: join(dir, 'manager'),
      execRoot: join(dir, 'run'),
      listenGrpc: address,
      advertiseAddr: '127.0.0.1',
      init: true,
      socket: false,
    },
    {
      onInitialized: ({ clusterId, clusterName, apiAddr, admin }) => {
        contexts.save({ name: clusterName, clusterId, managers: [apiAddr] }, admin);
        contexts.use(clusterName);
      },
    },
  );
  const agents: SimAgent[] = [];
  try {
    const store = manager.components.store;
    const client = new ManagerClient(contexts.resolve());
    const token = manager.components.ca.joinToken('worker');
    for (const hostname of ['node-1', 'node-2', 'node-3'])
      agents.push(await startSimAgent({ address, token, hostname, log }));
    await until(() => store.list('node').filter((n) => n.status.state === 'ready').length === 3);

    let id = '';
    const running = (image: string) =>
      store
        .list('task')
        .filter(
          (t) =>
            t.serviceId === id &&
            t.desiredState === 'running' &&
            t.status.state === 'running' &&
            t.spec.containerSpec.image === image,
        ).length;
    const update = async (patch: (s: ServiceSpec) => void) => {
      const s = await client.json<Service>({ path: `/services/${id}` });
      const spec = structuredClone(s.spec);
      patch(spec);
      await client.json({
        method: 'POST',
        path: `/services/${id}/update`,
        body: { version: s.version, spec },
      });
    };

    const spec = defaultServiceSpec('bench', 'busybox:1');
    spec.mode = { replicated: { replicas } };
    // Swarm's default monitor (5 s) only delays the "completed" status, not the replacements.
    spec.updateConfig = { ...spec.updateConfig, parallelism, monitorNs: 0 };
    const createSec = await timed(async () => {
      id = (
        await client.json<{ id: string }>({ method: 'POST', path: '/services', body: { spec } })
      ).id;
      await until(() => running('busybox:1') === replicas);
    });
    const scaleSec = await timed(async () => {
      await update((s) => (s.mode = { replicated: { replicas: replicas * 2 } }));
      await until(() => running('busybox:1') === replicas * 2);
    });
    let maxDown = 0;
    const unsubscribe = store.subscribe(() => {
      const up = new Set(
        store
          .list('task')
          .filter((t) => t.serviceId === id && t.status.state === 'running')
          .map((t) => t.slot),
      ).size;
      maxDown = Math.max(maxDown, replicas * 2 - up);
    });
    const updateSec = await timed(async () => {
      await update((s) => (s.taskTemplate.containerSpec.image = 'busybox:2'));
      await until(
        () =>
          running('busybox:2') === replicas * 2 &&
          store.get('service', id)?.updateStatus?.state === 'completed',
      );
    });
    unsubscribe();
    const removeSec = await timed(async () => {
      await client.json({ method: 'DELETE', path: `/services/${id}` });
      await until(() => !store.list('task').some((t) => t.serviceId === id));
    });
    return {
      createSec,
      scaleSec,
      rollingUpdateSec: updateSec,
      rollingUpdateMaxSlotsDown: maxDown,
      removeSec,
    };
  } finally {
    for (const a of agents) await a.stop().catch(() => undefined);
    await manager.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
