// A real manager (embedded etcd, CA, API, dispatcher, reconcilers) with three simulated agents
// (the real join, session client and executor over a fake container engine) over gRPC mTLS.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { joinCluster } from '../../../agent/session/index.js';
import { freePort } from '../../../manager/etcd/index.js';
import { runManager, type RunningManager } from '../../../manager/main.js';
import { newId } from '../../../manager/store/index.js';
import type { ObjectStore } from '../../../manager/store/types.js';
import { isFlotillaError } from '../../../shared/errors/index.js';
import { createLogger } from '../../../shared/log/index.js';
import type { Service, ServiceSpec, Task } from '../../../shared/model/index.js';
import { isTerminal } from '../../../shared/model/index.js';
import { makeSpec, startSimAgent, type SimAgent, waitFor } from '../../harness/cluster/index.js';

process.env.FLOTILLA_LOG_LEVEL ??= 'warn';
const log = createLogger({
  proc: 'test',
  level: (process.env.FLOTILLA_LOG_LEVEL as 'info') ?? 'silent',
});

let dir: string;
let manager: RunningManager;
let store: ObjectStore;
let address: string;
let token: string;
const agents: SimAgent[] = [];

async function freePortPair(): Promise<number> {
  for (;;) {
    const p = await freePort();
    if (p < 65000) return p;
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'flotilla-cluster-'));
  const port = await freePortPair();
  address = `127.0.0.1:${port}`;
  manager = await runManager({
    dataRoot: join(dir, 'manager'),
    execRoot: join(dir, 'run'),
    listenGrpc: address,
    advertiseAddr: '127.0.0.1',
    init: true,
    socket: false,
  });
  store = manager.components.store;
  token = manager.components.ca.joinToken('worker');
  for (const hostname of ['alpha', 'beta', 'gamma'])
    agents.push(await startSimAgent({ address, token, hostname, log }));
  await waitFor(
    '3 ready nodes',
    () => store.list('node').filter((n) => n.status.state === 'ready').length === 3,
  );
});

afterAll(async () => {
  for (const a of agents) await a.stop().catch(() => undefined);
  await manager?.stop();
  await rm(dir, { recursive: true, force: true });
});

async function createService(spec: ServiceSpec): Promise<Service> {
  const now = new Date().toISOString();
  const service: Service = { id: newId(), version: 1, createdAt: now, updatedAt: now, spec };
  await store.update((tx) => tx.create('service', service));
  return service;
}

async function updateService(id: string, patch: (s: ServiceSpec) => void): Promise<void> {
  await store.update((tx) => {
    const s = tx.get('service', id)!;
    s.previousSpec = structuredClone(s.spec);
    patch(s.spec);
    s.version++;
    s.updatedAt = new Date().toISOString();
    tx.update('service', s);
  });
}

const tasksOf = (serviceId: string) => store.list('task').filter((t) => t.serviceId === serviceId);
const nodeIdOf = (hostname: string) =>
  agents.find(
    (a) => a.identity && store.get('node', a.identity.nodeId)?.description.hostname === hostname,
  )!.identity.nodeId;

/** Every slot 1..n has exactly one task that should run, and it runs; nothing else should run. */
function converged(serviceId: string, n: number): boolean {
  const active = tasksOf(serviceId).filter((t) => t.desiredState === 'running');
  const slots = new Set(active.map((t) => t.slot));
  return (
    active.length === n &&
    slots.size === n &&
    [...slots].every((s) => s >= 1 && s <= n) &&
    active.every((t) => t.status.state === 'running')
  );
}

function spread(tasks: Task[]): Record<string, number> {
  const m: Record<string, number> = {};
  for (const t of tasks)
    if (t.desiredState === 'running') {
      const host = store.get('node', t.nodeId!)!.description.hostname;
      m[host] = (m[host] ?? 0) + 1;
    }
  return m;
}

function runningContainers(): number {
  return agents.reduce(
    (n, a) => n + [...a.engine.containers.values()].filter((c) => c.state === 'running').length,
    0,
  );
}

describe('cluster', () => {
  it('refuses a join token with a wrong secret or a foreign CA digest', async () => {
    const wrongSecret = token.replace(/-[a-z0-9]{25}$/, '-' + 'x'.repeat(25));
    await expect(joinCluster({ address, token: wrongSecret, hostname: 'bad' })).rejects.toSatisfy(
      (e: unknown) => isFlotillaError(e) && e.code === 'JOIN_TOKEN_REJECTED',
    );
    const wrongCa = token.replace(/^FLT-1-[0-9a-f]{64}/, 'FLT-1-' + '0'.repeat(64));
    await expect(joinCluster({ address, token: wrongCa, hostname: 'bad' })).rejects.toSatisfy(
      (e: unknown) => isFlotillaError(e) && e.code === 'JOIN_CA_MISMATCH',
    );
  });

  let web: Service;

  it('spreads a replicated service over the nodes and runs every replica', async () => {
    web = await createService(makeSpec('web', { mode: { replicated: { replicas: 6 } } }));
    await waitFor('web converged at 6', () => converged(web.id, 6));
    expect(spread(tasksOf(web.id))).toEqual({ alpha: 2, beta: 2, gamma: 2 });
  });

  it('scales up and down, stopping the containers of retired slots', async () => {
    await updateService(web.id, (s) => (s.mode = { replicated: { replicas: 9 } }));
    await waitFor('web converged at 9', () => converged(web.id, 9));
    expect(spread(tasksOf(web.id))).toEqual({ alpha: 3, beta: 3, gamma: 3 });
    await updateService(web.id, (s) => (s.mode = { replicated: { replicas: 2 } }));
    await waitFor('web converged at 2', () => converged(web.id, 2));
    await waitFor('retired tasks stopped', () =>
      tasksOf(web.id).every((t) => t.desiredState === 'running' || isTerminal(t.status.state)),
    );
    await waitFor('2 containers running', () => runningContainers() === 2);
  });

  it('replaces tasks one at a time when the task template changes', async () => {
    await updateService(web.id, (s) => (s.taskTemplate.containerSpec.image = 'busybox:1.36'));
    await waitFor('web updated', () => {
      const active = tasksOf(web.id).filter((t) => t.desiredState === 'running');
      return (
        converged(web.id, 2) && active.every((t) => t.spec.containerSpec.image === 'busybox:1.36')
      );
    });
    const images = agents.flatMap((a) =>
      [...a.engine.containers.values()].filter((c) => c.state === 'running'),
    );
    expect(images.map((c) => c.opts.image)).toEqual(['busybox:1.36', 'busybox:1.36']);
  });

  let mon: Service;

  it('runs a global service once on every node', async () => {
    mon = await createService(makeSpec('mon', { mode: { global: {} } }));
    await waitFor(
      'mon on 3 nodes',
      () => tasksOf(mon.id).filter((t) => t.status.state === 'running').length === 3,
    );
    expect(new Set(tasksOf(mon.id).map((t) => t.nodeId)).size).toBe(3);
  });

  it('honours placement constraints', async () => {
    const alpha = nodeIdOf('alpha');
    await store.update((tx) => {
      const n = tx.get('node', alpha)!;
      n.spec.labels.zone = 'x';
      tx.update('node', n);
    });
    const pinned = await createService(
      makeSpec('pinned', {
        mode: { replicated: { replicas: 3 } },
        taskTemplate: {
          ...makeSpec('x').taskTemplate,
          placement: {
            constraints: ['node.labels.zone==x'],
            preferences: [],
            maxReplicasPerNode: 0,
          },
        },
      }),
    );
    await waitFor('pinned converged', () => converged(pinned.id, 3));
    expect(spread(tasksOf(pinned.id))).toEqual({ alpha: 3 });
    await store.update((tx) => tx.delete('service', pinned.id));
    await waitFor('pinned tasks deleted', () => tasksOf(pinned.id).length === 0);
  });

  it('moves tasks off a drained node', async () => {
    await updateService(web.id, (s) => (s.mode = { replicated: { replicas: 6 } }));
    await waitFor('web converged at 6', () => converged(web.id, 6));
    const beta = nodeIdOf('beta');
    await store.update((tx) => {
      const n = tx.get('node', beta)!;
      n.spec.availability = 'drain';
      tx.update('node', n);
    });
    await waitFor(
      'web off beta',
      () => converged(web.id, 6) && !('beta' in spread(tasksOf(web.id))),
    );
    expect(spread(tasksOf(web.id))).toEqual({ alpha: 3, gamma: 3 });
    await waitFor('mon off beta', () =>
      tasksOf(mon.id).every((t) => t.nodeId !== beta || t.desiredState !== 'running'),
    );
    await store.update((tx) => {
      const n = tx.get('node', beta)!;
      n.spec.availability = 'active';
      tx.update('node', n);
    });
  });

  it('marks a silent node down within the grace period and reschedules its tasks', async () => {
    const gamma = agents.find((a) => a.identity.nodeId === nodeIdOf('gamma'))!;
    const gammaId = gamma.identity.nodeId;
    await gamma.stop();
    const stoppedAt = Date.now();
    await waitFor('gamma down', () => store.get('node', gammaId)?.status.state === 'down', 30_000);
    // Grace 10 s, checked every 2 s; heartbeats every 5 s may make the last one up to 5 s old.
    expect(Date.now() - stoppedAt).toBeLessThan(20_000);
    await waitFor(
      'web rescheduled',
      () => converged(web.id, 6) && !('gamma' in spread(tasksOf(web.id))),
    );
    expect(
      tasksOf(web.id).filter((t) => t.nodeId === gammaId && t.status.state === 'orphaned').length,
    ).toBeGreaterThan(0);

    // The agent comes back with its containers still running: the stale ones are stopped.
    const startsBefore = gamma.engine.starts;
    await gamma.restart();
    await waitFor('gamma ready', () => store.get('node', gammaId)?.status.state === 'ready');
    await waitFor('gamma stale web containers stopped', () =>
      [...gamma.engine.containers.values()].every(
        (c) => c.opts.labels?.['com.flotilla.service.id'] !== web.id || c.state !== 'running',
      ),
    );
    await waitFor('mon back on gamma', () =>
      tasksOf(mon.id).some(
        (t) => t.nodeId === gammaId && t.desiredState === 'running' && t.status.state === 'running',
      ),
    );
    expect(gamma.engine.starts).toBe(startsBefore + 1);
  });

  it('ends the session of a removed node and refuses it afterwards', async () => {
    const beta = agents.find((a) => a.identity.nodeId === nodeIdOf('beta'))!;
    const id = beta.identity.nodeId;
    await manager.components.ca.revoke(id);
    await store.update((tx) => tx.delete('node', id));
    await waitFor('beta refused', () => beta.session.lastError?.code === 'SESSION_UNAUTHENTICATED');
    expect(store.get('node', id)).toBeUndefined();
    await beta.stop();
    // Its tasks are orphaned and their slots re-created on the remaining nodes.
    await waitFor(
      'web off beta',
      () =>
        converged(web.id, 6) &&
        tasksOf(web.id).every((t) => t.nodeId !== id || t.desiredState !== 'running'),
    );
  });

  it('keeps exactly one running task per slot after convergence', () => {
    for (const [id, n] of [[web.id, 6]] as const) {
      const perSlot = new Map<number, number>();
      for (const t of tasksOf(id))
        if (t.desiredState === 'running' && t.status.state === 'running')
          perSlot.set(t.slot, (perSlot.get(t.slot) ?? 0) + 1);
      expect([...perSlot.keys()].sort()).toEqual(Array.from({ length: n }, (_, i) => i + 1));
      expect([...perSlot.values()].every((c) => c === 1)).toBe(true);
    }
  });
});
