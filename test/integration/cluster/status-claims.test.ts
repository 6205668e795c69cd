// What a node may claim over its real gRPC session (a manager with the embedded etcd, two simulated
// agents): no status for another node's task, no container address outside its own subnet.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../manager/etcd/index.js';
import { runManager, type RunningManager } from '../../../manager/main.js';
import { newId } from '../../../manager/store/index.js';
import type { ObjectStore } from '../../../manager/store/types.js';
import { createLogger } from '../../../shared/log/index.js';
import type { Service, Task, TaskStatus } from '../../../shared/model/index.js';
import { makeSpec, startSimAgent, type SimAgent, waitFor } from '../../harness/cluster/index.js';

process.env.FLOTILLA_LOG_LEVEL ??= 'warn';
const log = createLogger({ proc: 'test', level: 'silent' });

let dir: string;
let manager: RunningManager;
let store: ObjectStore;
const agents: SimAgent[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'flotilla-status-claims-'));
  let port = await freePort();
  while (port > 65000) port = await freePort();
  const address = `127.0.0.1:${port}`;
  manager = await runManager({
    dataRoot: join(dir, 'manager'),
    execRoot: join(dir, 'run'),
    listenGrpc: address,
    advertiseAddr: '127.0.0.1',
    init: true,
    socket: false,
  });
  store = manager.components.store;
  const token = manager.components.ca.joinToken('worker');
  for (const hostname of ['alpha', 'beta'])
    agents.push(await startSimAgent({ address, token, hostname, log }));
  await waitFor(
    '2 ready nodes',
    () => store.list('node').filter((n) => n.status.state === 'ready').length === 2,
  );
});

afterAll(async () => {
  for (const a of agents) await a.stop().catch(() => undefined);
  await manager?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('status reports over a real session', () => {
  it("refuse another node's task and an address outside the node subnet", async () => {
    const now = new Date().toISOString();
    const spec = makeSpec('claims', {
      mode: { replicated: { replicas: 2 } },
    });
    spec.taskTemplate.placement = { ...spec.taskTemplate.placement, maxReplicasPerNode: 1 };
    const service: Service = { id: newId(), version: 1, createdAt: now, updatedAt: now, spec };
    await store.update((tx) => tx.create('service', service));
    const running = () =>
      store.list('task').filter((t) => t.serviceId === service.id && t.status.state === 'running');
    await waitFor(
      'a running task on each node',
      () => new Set(running().map((t) => t.nodeId)).size === 2,
    );

    const [alpha, beta] = agents;
    const onNode = (a: SimAgent): Task => running().find((t) => t.nodeId === a.identity.nodeId)!;
    const alphaTask = onNode(alpha);
    const betaTask = onNode(beta);
    const betaSubnet = store.get('node', beta.identity.nodeId)!.subnet!;
    const inBeta = betaSubnet.replace(/\.0\/\d+$/, '.9');
    const report = (state: TaskStatus['state'], extra: Partial<TaskStatus> = {}): TaskStatus => ({
      state,
      timestamp: new Date().toISOString(),
      message: '',
      ...extra,
    });
    // One batch from alpha: beta's task failed, and alpha's own task at an address of beta's
    // subnet (with a health change, so that the report is written and we can see it landed).
    alpha.reporter.report(betaTask.id, report('failed', { err: 'forged' }));
    alpha.reporter.report(alphaTask.id, report('running', { health: 'healthy', address: inBeta }));
    alpha.reporter.flush();
    await waitFor(
      'alpha report written',
      () => store.get('task', alphaTask.id)?.status.health === 'healthy',
    );
    expect(store.get('task', alphaTask.id)?.status.address).toBeUndefined();
    expect(store.get('task', betaTask.id)?.status).toMatchObject({ state: 'running' });
    expect(store.get('task', betaTask.id)?.status.err).toBeUndefined();
  });
});
