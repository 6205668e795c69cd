import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../shared/log/index.js';
import type { Task, TaskState } from '../../shared/model/index.js';
import {
  ManualClock,
  makeNode,
  makeService,
  makeSpec,
  runningBySlot,
  tasksOf,
} from '../../test/harness/cluster/index.js';
import type { NewTaskPlacement, Placement } from '../tasks/index.js';
import { Orchestrator } from './orchestrator.js';
import { InMemoryObjectStore } from '../store/index.js';

function setup(opts: { historyLimit?: number } = {}) {
  const store = new InMemoryObjectStore();
  const clock = new ManualClock();
  let n = 0;
  const orch = new Orchestrator({
    store,
    clock,
    log: silentLogger(),
    taskHistoryLimit: opts.historyLimit,
    newId: () => `t${++n}`,
  });
  return { store, clock, orch };
}

function replicated(replicas: number, patch: (s: ReturnType<typeof makeSpec>) => void = () => {}) {
  const spec = makeSpec('web', { mode: { replicated: { replicas } } });
  patch(spec);
  return makeService('web', spec);
}

async function setState(
  store: InMemoryObjectStore,
  id: string,
  state: TaskState,
  exitCode?: number,
) {
  await store.update((tx) => {
    const t = tx.get('task', id)!;
    t.status = { ...t.status, state, ...(exitCode !== undefined ? { exitCode } : {}) };
    tx.update('task', t);
  });
}

const active = (tasks: Task[]) => tasks.filter((t) => t.desiredState === 'running');

describe('replicated services', () => {
  it('creates one pending task per missing slot', async () => {
    const { store, orch } = setup();
    await store.seed('service', replicated(3));
    await orch.runPass();
    const tasks = tasksOf(store, 'web');
    expect(tasks.map((t) => [t.slot, t.status.state, t.desiredState])).toEqual([
      [1, 'pending', 'running'],
      [2, 'pending', 'running'],
      [3, 'pending', 'running'],
    ]);
    expect((await orch.runPass()).changes).toEqual([]);
  });

  it('creates at most maxCreatesPerPass tasks a pass, lowest slots first, and asks for the next', async () => {
    const store = new InMemoryObjectStore();
    const clock = new ManualClock();
    let n = 0;
    const orch = new Orchestrator({
      store,
      clock,
      log: silentLogger(),
      newId: () => `t${++n}`,
      maxCreatesPerPass: 2,
    });
    await store.seed('service', replicated(5));
    const first = await orch.runPass();
    expect(tasksOf(store, 'web').map((t) => t.slot)).toEqual([1, 2]);
    expect(first.wakeAtMs).toBe(clock.now());
    await orch.runPass();
    const last = await orch.runPass();
    expect(tasksOf(store, 'web').map((t) => t.slot)).toEqual([1, 2, 3, 4, 5]);
    expect(last.wakeAtMs).toBeUndefined();
    expect((await orch.runPass()).changes).toEqual([]);
  });

  it('scales down by shutting down the highest slots first', async () => {
    const { store, orch } = setup();
    await store.seed('service', replicated(5));
    await orch.runPass();
    await store.seed('service', { ...replicated(2), version: 1 });
    await orch.runPass();
    const tasks = tasksOf(store, 'web');
    expect(active(tasks).map((t) => t.slot)).toEqual([1, 2]);
    expect(tasks.filter((t) => t.desiredState === 'shutdown').map((t) => t.slot)).toEqual([
      3, 4, 5,
    ]);
  });

  it('replaces a failed task with a new task in the same slot', async () => {
    const { store, orch } = setup();
    await store.seed('service', replicated(1));
    await orch.runPass();
    await setState(store, 't1', 'failed', 1);
    await orch.runPass();
    const tasks = tasksOf(store, 'web');
    expect(tasks.map((t) => [t.id, t.slot, t.desiredState])).toEqual([
      ['t1', 1, 'shutdown'],
      ['t2', 1, 'running'],
    ]);
    expect([...runningBySlot(store, 'web')]).toEqual([[1, 1]]);
  });

  it('does not restart a task that completed under on-failure, but does one that failed', async () => {
    const { store, orch } = setup();
    await store.seed(
      'service',
      replicated(2, (s) => {
        s.taskTemplate.restartPolicy.condition = 'on-failure';
      }),
    );
    await orch.runPass();
    await setState(store, 't1', 'complete', 0);
    await setState(store, 't2', 'failed', 2);
    await orch.runPass();
    const tasks = tasksOf(store, 'web');
    expect(active(tasks).map((t) => t.id)).toEqual(['t1', 't3']);
  });

  it('never restarts under condition none and keeps the slot occupied', async () => {
    const { store, orch } = setup();
    await store.seed(
      'service',
      replicated(1, (s) => (s.taskTemplate.restartPolicy.condition = 'none')),
    );
    await orch.runPass();
    await setState(store, 't1', 'failed', 1);
    expect((await orch.runPass()).changes).toEqual([]);
  });

  it('waits for the restart delay, measured on the injected clock', async () => {
    const { store, clock, orch } = setup();
    await store.seed(
      'service',
      replicated(1, (s) => (s.taskTemplate.restartPolicy.delayNs = 5e9)),
    );
    await orch.runPass();
    await setState(store, 't1', 'failed', 1);
    const first = await orch.runPass();
    expect(first.changes).toEqual([]);
    expect(first.wakeAtMs).toBe(clock.now() + 5000);
    clock.advance(4999);
    expect((await orch.runPass()).changes).toEqual([]);
    clock.advance(1);
    await orch.runPass();
    expect(tasksOf(store, 'web').map((t) => t.id)).toEqual(['t1', 't2']);
  });

  it('stops restarting after max attempts within the window', async () => {
    const { store, clock, orch } = setup({ historyLimit: 10 });
    await store.seed(
      'service',
      replicated(1, (s) => {
        s.taskTemplate.restartPolicy.maxAttempts = 2;
        s.taskTemplate.restartPolicy.windowNs = 60e9;
      }),
    );
    await orch.runPass();
    for (const id of ['t1', 't2', 't3']) {
      await setState(store, id, 'failed', 1);
      await orch.runPass();
    }
    expect(tasksOf(store, 'web').map((t) => t.id)).toEqual(['t1', 't2', 't3']);
    // Once the first attempt leaves the window, one more restart is allowed.
    clock.advance(60_000);
    await orch.runPass();
    expect(active(tasksOf(store, 'web')).map((t) => t.id)).toEqual(['t4']);
  });

  it('keeps at most the history limit of stopped tasks per slot, deleting the oldest', async () => {
    const { store, clock, orch } = setup({ historyLimit: 2 });
    await store.seed('service', replicated(1));
    await orch.runPass();
    for (let i = 1; i <= 4; i++) {
      clock.advance(1000);
      await setState(store, `t${i}`, 'failed', 1);
      await orch.runPass();
    }
    await orch.runPass();
    expect(tasksOf(store, 'web').map((t) => t.id)).toEqual(['t3', 't4', 't5']);
  });

  it('replaces the slot of an orphaned task at once', async () => {
    const { store, orch } = setup();
    await store.seed(
      'service',
      replicated(1, (s) => (s.taskTemplate.restartPolicy.condition = 'none')),
    );
    await orch.runPass();
    await store.update((tx) => {
      const t = tx.get('task', 't1')!;
      t.status.state = 'orphaned';
      t.desiredState = 'shutdown';
      tx.update('task', t);
    });
    await orch.runPass();
    expect(active(tasksOf(store, 'web')).map((t) => [t.id, t.slot])).toEqual([['t2', 1]]);
  });

  it('shuts down the extra task when two should run in one slot', async () => {
    const { store, orch } = setup();
    await store.seed('service', replicated(1));
    await orch.runPass();
    await setState(store, 't1', 'running');
    await store.seed('task', {
      ...tasksOf(store, 'web')[0],
      id: 'dup',
      status: { state: 'assigned', timestamp: '2026-01-02T00:00:00Z', message: '' },
    });
    await orch.runPass();
    expect(active(tasksOf(store, 'web')).map((t) => t.id)).toEqual(['t1']);
  });
});

describe('service removal', () => {
  it('asks running tasks to be removed and deletes them once stopped', async () => {
    const { store, orch } = setup();
    await store.seed('service', replicated(2));
    await orch.runPass();
    await store.update((tx) => {
      const t = tx.get('task', 't1')!;
      t.nodeId = 'n1';
      t.status.state = 'running';
      tx.update('task', t);
      tx.delete('service', 'web');
    });
    await orch.runPass();
    // t2 never reached a node: deleted at once; t1 must stop first.
    expect(tasksOf(store, 'web').map((t) => [t.id, t.desiredState])).toEqual([['t1', 'remove']]);
    await setState(store, 't1', 'shutdown');
    await orch.runPass();
    expect(tasksOf(store, 'web')).toEqual([]);
  });
});

describe('new tasks placed before they are written', () => {
  /** A placement that answers from a table and counts its calls (the scheduler is tested on its own). */
  function fakePlacement(answer: (t: Task) => Placement | undefined) {
    const calls: string[][] = [];
    const placement: NewTaskPlacement = {
      async placeNew(tasks, write) {
        calls.push(tasks.map((t) => t.id));
        const m = new Map<string, Placement>();
        for (const t of tasks) {
          const p = answer(t);
          if (p) m.set(t.id, p);
        }
        return write(m);
      },
    };
    return { placement, calls };
  }
  function setupPlaced(answer: (t: Task) => Placement | undefined) {
    const store = new InMemoryObjectStore();
    let n = 0;
    const { placement, calls } = fakePlacement(answer);
    const orch = new Orchestrator({
      store,
      clock: new ManualClock(),
      log: silentLogger(),
      newId: () => `t${++n}`,
      placement,
    });
    return { store, orch, calls };
  }

  it('creates a task already assigned where the placement found a node, in one write', async () => {
    const { store, orch, calls } = setupPlaced((t) => ({ nodeId: `n${t.slot}` }));
    await store.seed('service', replicated(2));
    const writes = store.objectWrites;
    await orch.runPass();
    expect(store.objectWrites - writes).toBe(2);
    expect(calls).toEqual([['t1', 't2']]);
    expect(
      tasksOf(store, 'web').map((t) => [t.slot, t.nodeId, t.status.state, t.status.message]),
    ).toEqual([
      [1, 'n1', 'assigned', 'scheduler assigned task to node'],
      [2, 'n2', 'assigned', 'scheduler assigned task to node'],
    ]);
  });

  it('creates a task pending with the reason where no node fits, and plain pending where the placement left it', async () => {
    const reason = 'no suitable node (insufficient memory on 3 nodes)';
    const { store, orch } = setupPlaced((t) => (t.slot === 1 ? { reason } : undefined));
    await store.seed('service', replicated(2));
    await orch.runPass();
    expect(
      tasksOf(store, 'web').map((t) => [t.slot, t.nodeId, t.status.state, t.pendingReason]),
    ).toEqual([
      [1, undefined, 'pending', reason],
      [2, undefined, 'pending', undefined],
    ]);
  });

  it('places the replacement of a failed task, and asks nothing when it creates nothing', async () => {
    const { store, orch, calls } = setupPlaced(() => ({ nodeId: 'n9' }));
    await store.seed('service', replicated(1));
    await orch.runPass();
    await setState(store, 't1', 'failed', 1);
    await orch.runPass();
    expect(active(tasksOf(store, 'web')).map((t) => [t.id, t.nodeId, t.status.state])).toEqual([
      ['t2', 'n9', 'assigned'],
    ]);
    await store.seed('service', { ...replicated(0), version: 2 });
    await orch.runPass();
    expect(calls).toEqual([['t1'], ['t2']]);
  });
});

describe('global services', () => {
  const global = (patch: (s: ReturnType<typeof makeSpec>) => void = () => {}) => {
    const spec = makeSpec('mon', { mode: { global: {} } });
    patch(spec);
    return makeService('mon', spec);
  };

  it('runs one task on every ready, active node matching the constraints', async () => {
    const { store, orch } = setup();
    await store.seed(
      'node',
      makeNode('n1'),
      makeNode('n2'),
      makeNode('drained', { spec: { availability: 'drain' } }),
      makeNode('paused', { spec: { availability: 'pause' } }),
      makeNode('down', { status: { state: 'down' } }),
      makeNode('mgr', { spec: { role: 'manager' } }),
    );
    await store.seed(
      'service',
      global((s) => (s.taskTemplate.placement.constraints = ['node.role==worker'])),
    );
    await orch.runPass();
    expect(
      tasksOf(store, 'mon')
        .map((t) => [t.slot, t.nodeId])
        .sort(),
    ).toEqual([
      [0, 'n1'],
      [0, 'n2'],
    ]);
    expect((await orch.runPass()).changes).toEqual([]);
  });

  it('adds a task when a node joins and shuts it down when the node is drained', async () => {
    const { store, orch } = setup();
    await store.seed('node', makeNode('n1'));
    await store.seed('service', global());
    await orch.runPass();
    await store.seed('node', makeNode('n2'));
    await orch.runPass();
    expect(
      active(tasksOf(store, 'mon'))
        .map((t) => t.nodeId)
        .sort(),
    ).toEqual(['n1', 'n2']);
    await store.seed('node', makeNode('n2', { spec: { availability: 'drain' } }));
    await orch.runPass();
    expect(active(tasksOf(store, 'mon')).map((t) => t.nodeId)).toEqual(['n1']);
  });
});

describe('leadership changes', () => {
  it('runs passes again after stop and start (lost and regained leadership)', async () => {
    const store = new InMemoryObjectStore();
    const orch = new Orchestrator({
      store,
      clock: new ManualClock(),
      log: silentLogger(),
      debounceMs: 1,
    });
    await orch.start();
    await orch.stop();
    await orch.start();
    await store.seed('service', replicated(2));
    for (let i = 0; i < 50 && tasksOf(store, 'web').length < 2; i++)
      await new Promise((r) => setTimeout(r, 10));
    await orch.stop();
    expect(tasksOf(store, 'web').length).toBe(2);
  });
});
