import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../shared/log/index.js';
import type { Node, Task } from '../../shared/model/index.js';
import {
  ManualClock,
  makeNode,
  makeService,
  makeSpec,
  makeTask,
} from '../../test/harness/cluster/index.js';
import { planPlacement } from './planner.js';
import { Orchestrator } from '../orchestrator/index.js';
import { Scheduler } from './scheduler.js';
import { InMemoryObjectStore } from '../store/index.js';

const svc = (id: string, patch: (s: ReturnType<typeof makeSpec>) => void = () => {}) => {
  const spec = makeSpec(id);
  patch(spec);
  return makeService(id, spec);
};
const pending = (service: ReturnType<typeof svc>, n: number, prefix = service.id): Task[] =>
  Array.from({ length: n }, (_, i) => makeTask(`${prefix}-${i + 1}`, service, { slot: i + 1 }));
const running = (service: ReturnType<typeof svc>, id: string, nodeId: string): Task =>
  makeTask(id, service, {
    nodeId,
    status: { state: 'running', timestamp: '2026-01-01T00:00:00Z', message: '' },
  });
const countByNode = (plan: ReturnType<typeof planPlacement>) => {
  const m: Record<string, number> = {};
  for (const a of plan.assignments) m[a.nodeId] = (m[a.nodeId] ?? 0) + 1;
  return m;
};

describe('planPlacement', () => {
  it('spreads the replicas of a service evenly over nodes', () => {
    const s = svc('web');
    const nodes = ['n1', 'n2', 'n3'].map((id) => makeNode(id));
    const plan = planPlacement(nodes, pending(s, 6));
    expect(countByNode(plan)).toEqual({ n1: 2, n2: 2, n3: 2 });
    expect(plan.pending.size).toBe(0);
  });

  it('prefers nodes with fewer tasks overall when service counts tie', () => {
    const other = svc('other');
    const s = svc('web');
    const nodes = ['n1', 'n2'].map((id) => makeNode(id));
    const plan = planPlacement(nodes, [
      running(other, 'o1', 'n1'),
      running(other, 'o2', 'n1'),
      ...pending(s, 1),
    ]);
    expect(plan.assignments).toEqual([{ taskId: 'web-1', nodeId: 'n2' }]);
  });

  it('places no task on paused, drained or down nodes', () => {
    const s = svc('web');
    const nodes: Node[] = [
      makeNode('paused', { spec: { availability: 'pause' } }),
      makeNode('drained', { spec: { availability: 'drain' } }),
      makeNode('down', { status: { state: 'down' } }),
      makeNode('ok'),
    ];
    const plan = planPlacement(nodes, pending(s, 3));
    expect(countByNode(plan)).toEqual({ ok: 3 });
  });

  it('honours == and != constraints on role, hostname and labels', () => {
    const s = svc('web', (spec) => {
      spec.taskTemplate.placement.constraints = [
        'node.role==worker',
        'node.labels.zone!=b',
        'engine.labels.disk==ssd',
        'node.hostname!=host-4',
      ];
    });
    const nodes = [
      makeNode('n1', {
        spec: { labels: { zone: 'a' } },
        description: { engineLabels: { disk: 'ssd' } },
      }),
      makeNode('n2', {
        spec: { labels: { zone: 'b' } },
        description: { engineLabels: { disk: 'ssd' } },
      }),
      makeNode('n3', { spec: { role: 'manager' }, description: { engineLabels: { disk: 'ssd' } } }),
      makeNode('n4', { description: { hostname: 'host-4', engineLabels: { disk: 'ssd' } } }),
      makeNode('n5', { description: { engineLabels: { disk: 'hdd' } } }),
      makeNode('n6', { description: { engineLabels: { disk: 'ssd' } } }),
    ];
    const plan = planPlacement(nodes, pending(s, 4));
    expect(countByNode(plan)).toEqual({ n1: 2, n6: 2 });
  });

  it('leaves tasks pending with an aggregated reason when nothing fits', () => {
    const s = svc('big', (spec) => {
      spec.taskTemplate.resources.reservations.memoryBytes = 16 * 2 ** 30;
      spec.taskTemplate.placement.constraints = ['node.labels.gpu==yes'];
    });
    const nodes = [
      makeNode('n1', { spec: { labels: { gpu: 'yes' } } }),
      makeNode('n2', { spec: { labels: { gpu: 'yes' } } }),
      makeNode('n3', { spec: { labels: { gpu: 'yes' } } }),
      makeNode('n4'),
    ];
    const plan = planPlacement(nodes, pending(s, 2));
    expect(plan.assignments).toEqual([]);
    expect(plan.pending.get('big-1')).toBe(
      'no suitable node (insufficient memory on 3 nodes; scheduling constraints not satisfied on 1 node)',
    );
    expect(plan.pending.get('big-2')).toBe(plan.pending.get('big-1'));
  });

  it('counts reservations of tasks already on a node and of tasks planned in the same pass', () => {
    const s = svc('web', (spec) => {
      spec.taskTemplate.resources.reservations = { nanoCpus: 1e9, memoryBytes: 2 ** 30 };
    });
    const nodes = [
      makeNode('n1', { description: { resources: { nanoCpus: 3e9, memoryBytes: 64 * 2 ** 30 } } }),
    ];
    const plan = planPlacement(nodes, [running(s, 'old', 'n1'), ...pending(s, 3)]);
    expect(plan.assignments.map((a) => a.taskId)).toEqual(['web-1', 'web-2']);
    expect(plan.pending.get('web-3')).toBe('no suitable node (insufficient CPU on 1 node)');
  });

  it('does not place two tasks publishing the same host-mode port on one node', () => {
    const s = svc('web', (spec) => {
      spec.endpointSpec.ports = [{ target: 80, published: 8080, protocol: 'tcp', mode: 'host' }];
    });
    const nodes = ['n1', 'n2'].map((id) => makeNode(id));
    const plan = planPlacement(nodes, pending(s, 3));
    expect(countByNode(plan)).toEqual({ n1: 1, n2: 1 });
    expect(plan.pending.get('web-3')).toBe(
      'no suitable node (host-mode port already in use on 2 nodes)',
    );
  });

  it('places no two replicas on one node when max-per-node is 1', () => {
    const s = svc('web', (spec) => {
      spec.taskTemplate.placement.maxReplicasPerNode = 1;
    });
    const nodes = ['n1', 'n2'].map((id) => makeNode(id));
    const plan = planPlacement(nodes, [running(s, 'r', 'n1'), ...pending(s, 2)]);
    expect(plan.assignments).toEqual([{ taskId: 'web-1', nodeId: 'n2' }]);
    expect(plan.pending.get('web-2')).toBe(
      'no suitable node (max replicas per node reached on 2 nodes)',
    );
  });

  it('filters on platform', () => {
    const s = svc('web', (spec) => {
      spec.taskTemplate.placement.platforms = [{ os: 'linux', architecture: 'arm64' }];
    });
    const nodes = [
      makeNode('x86'),
      makeNode('arm', { description: { platform: { os: 'linux', architecture: 'aarch64' } } }),
    ];
    const plan = planPlacement(nodes, pending(s, 2));
    expect(countByNode(plan)).toEqual({ arm: 2 });
  });

  it('spreads over placement preference values before balancing nodes', () => {
    const s = svc('web', (spec) => {
      spec.taskTemplate.placement.preferences = [{ spread: 'node.labels.zone' }];
    });
    // Zone a has three nodes, zone b one: spreading by zone puts half the tasks on the lone node.
    const nodes = [
      makeNode('a1', { spec: { labels: { zone: 'a' } } }),
      makeNode('a2', { spec: { labels: { zone: 'a' } } }),
      makeNode('a3', { spec: { labels: { zone: 'a' } } }),
      makeNode('b1', { spec: { labels: { zone: 'b' } } }),
    ];
    const plan = planPlacement(nodes, pending(s, 6));
    expect(countByNode(plan)).toEqual({ a1: 1, a2: 1, a3: 1, b1: 3 });
  });

  it('checks a pre-assigned global task against its node only', () => {
    const s = svc('agent', (spec) => {
      spec.mode = { global: {} };
      spec.taskTemplate.resources.reservations.memoryBytes = 2 ** 30;
    });
    const nodes = [
      makeNode('n1'),
      makeNode('tiny', { description: { resources: { nanoCpus: 1e9, memoryBytes: 1 } } }),
    ];
    const plan = planPlacement(nodes, [
      makeTask('g1', s, { slot: 0, nodeId: 'n1' }),
      makeTask('g2', s, { slot: 0, nodeId: 'tiny' }),
    ]);
    expect(plan.assignments).toEqual([{ taskId: 'g1', nodeId: 'n1' }]);
    expect(plan.pending.get('g2')).toBe('no suitable node (insufficient memory on 1 node)');
  });

  it('reports an invalid constraint as the pending reason', () => {
    const s = svc('web', (spec) => {
      spec.taskTemplate.placement.constraints = ['node.color=blue'];
    });
    const plan = planPlacement([makeNode('n1')], pending(s, 1));
    expect(plan.pending.get('web-1')).toMatch(/invalid placement constraint/);
  });
});

describe('Scheduler', () => {
  const setup = () => {
    const store = new InMemoryObjectStore();
    const clock = new ManualClock();
    const scheduler = new Scheduler({ store, clock, log: silentLogger(), maxOpsPerTx: 2 });
    return { store, clock, scheduler };
  };

  it('commits assignments in bounded transactions and sets the assigned state', async () => {
    const { store, scheduler } = setup();
    const s = svc('web');
    await store.seed('node', makeNode('n1'), makeNode('n2'));
    await store.seed('task', ...pending(s, 5));
    const before = store.stats.commits;
    await scheduler.runPass();
    expect(store.stats.commits - before).toBe(3);
    const tasks = store.list('task');
    expect(tasks.every((t) => t.status.state === 'assigned' && t.nodeId)).toBe(true);
  });

  it('writes a pending reason once, not on every pass', async () => {
    const { store, scheduler } = setup();
    await store.seed('task', ...pending(svc('web'), 1));
    await scheduler.runPass();
    expect(store.get('task', 'web-1')?.pendingReason).toBe('no suitable node (no nodes available)');
    const writes = store.objectWrites;
    await scheduler.runPass();
    expect(store.objectWrites).toBe(writes);
  });

  it('plans at most maxTasksPerPass tasks a pass, the oldest first, and leaves the rest', async () => {
    const store = new InMemoryObjectStore();
    const scheduler = new Scheduler({
      store,
      clock: new ManualClock(),
      log: silentLogger(),
      maxTasksPerPass: 3,
    });
    const s = svc('web');
    await store.seed('node', makeNode('n1'), makeNode('n2'));
    await store.seed('task', ...pending(s, 7));
    const first = await scheduler.runPass();
    expect(first.assignments.map((a) => a.taskId)).toEqual(['web-1', 'web-2', 'web-3']);
    expect(first.deferred).toBe(4);
    expect((await scheduler.runPass()).deferred).toBe(1);
    const last = await scheduler.runPass();
    expect(last.deferred).toBeUndefined();
    const tasks = store.list('task');
    expect(tasks.every((t) => t.status.state === 'assigned')).toBe(true);
    // Spread holds across passes: the pass sees what earlier passes committed.
    expect(tasks.filter((t) => t.nodeId === 'n1')).toHaveLength(4);
  });

  it('started, runs passes until every task is placed, without further events', async () => {
    const store = new InMemoryObjectStore();
    const scheduler = new Scheduler({
      store,
      clock: new ManualClock(),
      log: silentLogger(),
      debounceMs: 1,
      maxTasksPerPass: 2,
    });
    await store.seed('node', makeNode('n1'));
    await store.seed('task', ...pending(svc('web'), 7));
    await scheduler.start();
    try {
      for (let i = 0; i < 200 && store.list('task').some((t) => t.status.state === 'pending'); i++)
        await new Promise((r) => setTimeout(r, 10));
      expect(store.list('task').every((t) => t.status.state === 'assigned')).toBe(true);
    } finally {
      await scheduler.stop();
    }
  });

  it('skips tasks whose desired state changed since the snapshot', async () => {
    const { store, scheduler } = setup();
    const s = svc('web');
    await store.seed('node', makeNode('n1'));
    await store.seed('task', makeTask('t1', s, { desiredState: 'shutdown' }));
    const plan = await scheduler.runPass();
    expect(plan.assignments).toEqual([]);
    expect(store.get('task', 't1')?.nodeId).toBeUndefined();
  });
});

describe('Scheduler.placeNew (tasks placed before the orchestrator creates them)', () => {
  const gib = 2 ** 30;
  // Nodes of 2 GiB and tasks reserving 1 GiB: two tasks fill a node.
  const small = (id: string) =>
    makeNode(id, { description: { resources: { nanoCpus: 4e9, memoryBytes: 2 * gib } } });
  const big = svc('web', (spec) => (spec.taskTemplate.resources.reservations.memoryBytes = gib));
  const fresh = (id: string, slot: number) =>
    makeTask(id, big, { slot, createdAt: '2026-01-02T00:00:00.000Z' });
  const setup = () => {
    const store = new InMemoryObjectStore();
    const scheduler = new Scheduler({ store, clock: new ManualClock(), log: silentLogger() });
    return { store, scheduler };
  };

  it('gives each new task a node, or the reason none fits, without writing anything itself', async () => {
    const { store, scheduler } = setup();
    await store.seed('node', small('n1'));
    const writes = store.objectWrites;
    const placements = await scheduler.placeNew(
      [fresh('new-1', 1), fresh('new-2', 2), fresh('new-3', 3)],
      async (p) => p,
    );
    expect(Object.fromEntries(placements)).toEqual({
      'new-1': { nodeId: 'n1' },
      'new-2': { nodeId: 'n1' },
      'new-3': { reason: 'no suitable node (insufficient memory on 1 node)' },
    });
    expect(store.objectWrites).toBe(writes);
  });

  it('leaves room for tasks already pending: new tasks do not overtake them', async () => {
    const { store, scheduler } = setup();
    await store.seed('node', small('n1'));
    await store.seed('task', makeTask('old-1', big, { slot: 1 }));
    const placements = await scheduler.placeNew(
      [fresh('new-2', 2), fresh('new-3', 3)],
      async (p) => p,
    );
    expect(placements.get('new-2')).toEqual({ nodeId: 'n1' });
    expect(placements.get('new-3')).toEqual({
      reason: 'no suitable node (insufficient memory on 1 node)',
    });
    // The old task is the scheduler pass's to write, not the caller's.
    expect(placements.has('old-1')).toBe(false);
  });

  it('a pass waits until the placed tasks are written, so no node is booked twice', async () => {
    const { store, scheduler } = setup();
    await store.seed('node', small('n1'));
    let planned!: () => void;
    const wasPlanned = new Promise<void>((r) => (planned = r));
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const placing = scheduler.placeNew([fresh('new-1', 1)], async (p) => {
      // A task becomes pending while the new one is being written; n1 has room for one of the
      // two more only.
      await store.seed('task', makeTask('late', big, { slot: 3 }));
      planned();
      await gate;
      const where = p.get('new-1');
      const t = fresh('new-1', 1);
      if (where && 'nodeId' in where) {
        t.nodeId = where.nodeId;
        t.status = { ...t.status, state: 'assigned' };
      }
      await store.update((tx) => tx.create('task', t));
    });
    await store.seed(
      'task',
      makeTask('other', big, {
        slot: 2,
        nodeId: 'n1',
        status: { state: 'running', timestamp: '2026-01-01T00:00:00Z', message: '' },
      }),
    );
    await wasPlanned;
    const pass = scheduler.runPass();
    release();
    await placing;
    const plan = await pass;
    expect(store.get('task', 'new-1')?.nodeId).toBe('n1');
    expect(plan.assignments).toEqual([]);
    expect(store.get('task', 'late')?.pendingReason).toBe(
      'no suitable node (insufficient memory on 1 node)',
    );
  });
});

describe('Scheduler placing the orchestrator new tasks', () => {
  it('creates each task once, assigned within constraints and resources, pending with the reason otherwise; a node that joins gets the rest through a pass', async () => {
    const store = new InMemoryObjectStore();
    const clock = new ManualClock();
    const scheduler = new Scheduler({ store, clock, log: silentLogger() });
    let n = 0;
    const orch = new Orchestrator({
      store,
      clock,
      log: silentLogger(),
      newId: () => `t${++n}`,
      placement: scheduler,
    });
    const gib = 2 ** 30;
    const node = (id: string, zone: string) =>
      makeNode(id, {
        spec: { labels: { zone } },
        description: { resources: { nanoCpus: 4e9, memoryBytes: 2 * gib } },
      });
    await store.seed('node', node('a1', 'a'), node('a2', 'a'), node('b1', 'b'));
    const s = svc('web', (spec) => {
      spec.mode = { replicated: { replicas: 5 } };
      spec.taskTemplate.resources.reservations.memoryBytes = gib;
      spec.taskTemplate.placement.constraints = ['node.labels.zone!=b'];
    });
    await store.seed('service', s);
    const writes = store.objectWrites;
    await orch.runPass();
    expect(store.objectWrites - writes).toBe(5);
    const bySlot = () =>
      store
        .list('task')
        .sort((x, y) => x.slot - y.slot)
        .map((t) => [t.slot, t.status.state, t.nodeId ?? t.pendingReason]);
    expect(bySlot()).toEqual([
      [1, 'assigned', 'a1'],
      [2, 'assigned', 'a2'],
      [3, 'assigned', 'a1'],
      [4, 'assigned', 'a2'],
      [
        5,
        'pending',
        'no suitable node (insufficient memory on 2 nodes; scheduling constraints not satisfied on 1 node)',
      ],
    ]);
    // The scheduler finds nothing new to write for the pending task.
    const before = store.objectWrites;
    await scheduler.runPass();
    expect(store.objectWrites).toBe(before);
    await store.seed('node', node('a3', 'a'));
    await scheduler.runPass();
    expect(bySlot()[4]).toEqual([5, 'assigned', 'a3']);
  });
});
