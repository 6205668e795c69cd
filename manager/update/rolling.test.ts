import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../shared/log/index.js';
import type { Service, ServiceSpec, Task, UpdateConfig } from '../../shared/model/index.js';
import { isTerminal } from '../../shared/model/index.js';
import { ManualClock, makeService, makeSpec } from '../../test/harness/cluster/index.js';
import { Orchestrator } from '../orchestrator/index.js';
import { Updater } from './updater.js';
import { InMemoryObjectStore } from '../store/index.js';

/** A cluster in a box: orchestrator + updater passes, and an "agent" that moves tasks along. */
async function cluster(replicas: number, update: Partial<UpdateConfig> = {}) {
  const store = new InMemoryObjectStore();
  const clock = new ManualClock();
  let n = 0;
  const newId = () => `t${String(++n).padStart(3, '0')}`;
  const log = silentLogger();
  const orchestrator = new Orchestrator({ store, clock, log, newId });
  const updater = new Updater({ store, clock, log, newId });
  const spec = makeSpec('web', { mode: { replicated: { replicas } } });
  spec.updateConfig = { ...spec.updateConfig, monitorNs: 0, ...update };
  spec.rollbackConfig = { ...spec.rollbackConfig, monitorNs: 0 };
  await store.seed('service', makeService('web', spec));
  /** Images whose tasks fail as soon as they start. */
  const failing = new Set<string>();
  const maxDownSeen = { value: 0 };
  const minReadySeen = { value: Infinity };

  const tasks = () => store.list('task').filter((t) => t.serviceId === 'web');
  const service = () => store.get('service', 'web')!;
  const readySlots = () =>
    new Set(
      tasks()
        .filter((t) => t.status.state === 'running' && t.desiredState === 'running')
        .map((t) => t.slot),
    ).size;

  /** One agent step: start at most `startLimit` pending tasks, stop everything asked to stop. */
  async function agentStep(startLimit = Infinity): Promise<void> {
    await store.update((tx) => {
      let started = 0;
      for (const t0 of tasks()) {
        const t = tx.get('task', t0.id)!;
        const ts = new Date(clock.now()).toISOString();
        if (t.desiredState !== 'running' && !isTerminal(t.status.state)) {
          t.status = { state: 'shutdown', timestamp: ts, message: 'stopped' };
          tx.update('task', t);
        } else if (t.desiredState === 'running' && t.status.state === 'pending') {
          if (started++ >= startLimit) continue;
          t.nodeId = 'n1';
          const fail = failing.has(t.spec.containerSpec.image);
          t.status = fail
            ? { state: 'failed', timestamp: ts, message: 'exit 1', err: 'exit 1', exitCode: 1 }
            : { state: 'running', timestamp: ts, message: 'started' };
          tx.update('task', t);
        }
      }
    });
  }

  async function step(startLimit?: number): Promise<void> {
    await orchestrator.runPass();
    await updater.runPass();
    const ready = readySlots();
    const want = replicasOf(service());
    maxDownSeen.value = Math.max(maxDownSeen.value, want - ready);
    minReadySeen.value = Math.min(minReadySeen.value, ready);
    await agentStep(startLimit);
  }

  async function settle(max = 200, startLimit?: number): Promise<void> {
    for (let i = 0; i < max; i++) {
      await step(startLimit);
      const st = service().updateStatus?.state;
      if (st && ['completed', 'paused', 'rollback_completed', 'rollback_paused'].includes(st))
        return;
    }
  }

  async function updateSpec(patch: (s: ServiceSpec) => void): Promise<void> {
    await store.update((tx) => {
      const s = tx.get('service', 'web')!;
      s.previousSpec = structuredClone(s.spec);
      patch(s.spec);
      s.version++;
      tx.update('service', s);
    });
  }

  async function converge(): Promise<void> {
    for (let i = 0; i < 5; i++) await step();
    maxDownSeen.value = 0;
    minReadySeen.value = Infinity;
  }

  return {
    store,
    clock,
    failing,
    maxDownSeen,
    minReadySeen,
    tasks,
    service,
    step,
    settle,
    updateSpec,
    converge,
    updater,
  };
}

function replicasOf(s: Service): number {
  return 'replicated' in s.spec.mode ? s.spec.mode.replicated.replicas : 0;
}

const images = (ts: Task[]) =>
  ts
    .filter((t) => t.desiredState === 'running')
    .map((t) => t.spec.containerSpec.image)
    .sort();

describe('rolling update', () => {
  it('never has more than `parallelism` slots down at once with stop-first', async () => {
    const c = await cluster(7, { parallelism: 2 });
    await c.converge();
    await c.updateSpec((s) => (s.taskTemplate.containerSpec.image = 'busybox:2'));
    await c.settle(200, 1);
    expect(c.service().updateStatus).toMatchObject({ state: 'completed', serviceVersion: 2 });
    expect(images(c.tasks())).toEqual(Array(7).fill('busybox:2'));
    expect(c.maxDownSeen.value).toBe(2);
  });

  it('replaces every slot at once with parallelism 0', async () => {
    const c = await cluster(4, { parallelism: 0 });
    await c.converge();
    await c.updateSpec((s) => (s.taskTemplate.containerSpec.image = 'busybox:2'));
    await c.step();
    expect(c.tasks().filter((t) => t.desiredState === 'shutdown')).toHaveLength(4);
    await c.settle();
    expect(images(c.tasks())).toEqual(Array(4).fill('busybox:2'));
  });

  it('keeps full capacity with start-first', async () => {
    const c = await cluster(5, { parallelism: 2, order: 'start-first' });
    await c.converge();
    await c.updateSpec((s) => (s.taskTemplate.containerSpec.image = 'busybox:2'));
    await c.settle(200, 1);
    expect(c.service().updateStatus?.state).toBe('completed');
    expect(images(c.tasks())).toEqual(Array(5).fill('busybox:2'));
    expect(c.minReadySeen.value).toBe(5);
    // Old tasks were retired only after their successors ran.
    expect(c.tasks().filter((t) => t.desiredState === 'running')).toHaveLength(5);
  });

  it('waits for a healthcheck to pass before retiring the old task (start-first)', async () => {
    const c = await cluster(1, { order: 'start-first' });
    await c.converge();
    await c.updateSpec((s) => {
      s.taskTemplate.containerSpec.image = 'busybox:2';
      s.taskTemplate.containerSpec.healthcheck = { test: ['CMD', 'true'] };
    });
    for (let i = 0; i < 5; i++) await c.step();
    // Running but no health reported yet: both tasks still should run.
    expect(c.tasks().filter((t) => t.desiredState === 'running')).toHaveLength(2);
    const fresh = c.tasks().find((t) => t.spec.containerSpec.image === 'busybox:2')!;
    await c.store.update((tx) => {
      const t = tx.get('task', fresh.id)!;
      t.status.health = 'healthy';
      tx.update('task', t);
    });
    await c.settle();
    expect(c.service().updateStatus?.state).toBe('completed');
    expect(images(c.tasks())).toEqual(['busybox:2']);
  });

  it('replaces tasks with an unchanged spec when forceUpdate is bumped', async () => {
    const c = await cluster(2);
    await c.converge();
    const before = c.tasks().map((t) => t.id);
    await c.updateSpec((s) => s.taskTemplate.forceUpdate++);
    await c.settle();
    const after = c.tasks().filter((t) => t.desiredState === 'running');
    expect(after).toHaveLength(2);
    expect(after.some((t) => before.includes(t.id))).toBe(false);
  });

  it('waits `delay` between slots', async () => {
    const c = await cluster(2, { delayNs: 10e9 });
    await c.converge();
    await c.updateSpec((s) => (s.taskTemplate.containerSpec.image = 'busybox:2'));
    for (let i = 0; i < 10; i++) await c.step();
    expect(images(c.tasks())).toEqual(['busybox:2', 'busybox:latest']);
    c.clock.advance(10_001);
    await c.settle();
    expect(images(c.tasks())).toEqual(['busybox:2', 'busybox:2']);
  });

  it('completes only after the monitor period, and counts a failure within it', async () => {
    const c = await cluster(1, { monitorNs: 30e9 });
    await c.converge();
    await c.updateSpec((s) => (s.taskTemplate.containerSpec.image = 'busybox:2'));
    for (let i = 0; i < 5; i++) await c.step();
    expect(c.service().updateStatus?.state).toBe('updating');
    // The new task dies 10 s in: within the monitor period, so the update pauses.
    c.clock.advance(10_000);
    const t = c.tasks().find((x) => x.desiredState === 'running')!;
    await c.store.update((tx) => {
      const x = tx.get('task', t.id)!;
      x.status = {
        state: 'failed',
        timestamp: '2026-01-01T00:00:10Z',
        message: 'exit 2',
        exitCode: 2,
      };
      tx.update('task', x);
    });
    await c.step();
    expect(c.service().updateStatus).toMatchObject({
      state: 'paused',
      message: `update paused due to failure or early termination of task ${t.id}`,
    });
  });

  it('marks the update completed once the monitor period passed without failure', async () => {
    const c = await cluster(1, { monitorNs: 30e9 });
    await c.converge();
    await c.updateSpec((s) => (s.taskTemplate.containerSpec.image = 'busybox:2'));
    for (let i = 0; i < 5; i++) await c.step();
    const { wakeAtMs } = await c.updater.runPassDetailed();
    expect(wakeAtMs).toBeGreaterThan(c.clock.now());
    c.clock.advance(30_001);
    await c.step();
    expect(c.service().updateStatus).toMatchObject({
      state: 'completed',
      message: 'update completed',
    });
  });
});

describe('update failures', () => {
  it('pauses on failure and stops replacing tasks', async () => {
    const c = await cluster(4);
    await c.converge();
    c.failing.add('bad:1');
    await c.updateSpec((s) => (s.taskTemplate.containerSpec.image = 'bad:1'));
    await c.settle();
    const st = c.service().updateStatus!;
    expect(st.state).toBe('paused');
    expect(st.message).toMatch(/^update paused due to failure or early termination of task \w+$/);
    for (let i = 0; i < 10; i++) await c.step();
    // Only the first slot was touched; the other three still run the old image.
    const running = c.tasks().filter((t) => t.desiredState === 'running');
    expect(running.filter((t) => t.spec.containerSpec.image === 'busybox:latest')).toHaveLength(3);
  });

  it('resumes a paused update when the service is updated again', async () => {
    const c = await cluster(3);
    await c.converge();
    c.failing.add('bad:1');
    await c.updateSpec((s) => (s.taskTemplate.containerSpec.image = 'bad:1'));
    await c.settle();
    expect(c.service().updateStatus?.state).toBe('paused');
    c.failing.delete('bad:1');
    c.clock.advance(1000);
    // `service update` with nothing changed: a new version of the same spec.
    await c.updateSpec(() => undefined);
    await c.settle();
    expect(c.service().updateStatus).toMatchObject({ state: 'completed', serviceVersion: 3 });
    expect(images(c.tasks())).toEqual(['bad:1', 'bad:1', 'bad:1']);
  });

  it('rolls back automatically and restores the previous spec', async () => {
    const c = await cluster(3, { failureAction: 'rollback', parallelism: 2 });
    await c.converge();
    c.failing.add('bad:1');
    await c.updateSpec((s) => (s.taskTemplate.containerSpec.image = 'bad:1'));
    await c.settle();
    const s = c.service();
    expect(s.updateStatus?.state).toBe('rollback_completed');
    expect(s.spec.taskTemplate.containerSpec.image).toBe('busybox:latest');
    expect(s.previousSpec?.taskTemplate.containerSpec.image).toBe('bad:1');
    expect(s.version).toBe(3);
    expect(images(c.tasks())).toEqual(Array(3).fill('busybox:latest'));
    expect(
      c.tasks().filter((t) => t.desiredState === 'running' && t.status.state === 'running'),
    ).toHaveLength(3);
  });

  it('pauses instead of rolling back onto a fixed ingress port another service took', async () => {
    const c = await cluster(2, { failureAction: 'rollback' });
    await c.converge();
    const port = {
      target: 80,
      published: 8080,
      protocol: 'tcp' as const,
      mode: 'ingress' as const,
    };
    await c.updateSpec((s) => (s.endpointSpec.ports = [port]));
    await c.settle();
    expect(c.service().updateStatus?.state).toBe('completed');
    // The next version gives the port up and fails; meanwhile another service takes the port.
    c.failing.add('bad:1');
    await c.updateSpec((s) => {
      s.taskTemplate.containerSpec.image = 'bad:1';
      s.endpointSpec.ports = [];
    });
    await c.store.seed(
      'service',
      makeService('api', makeSpec('api', { endpointSpec: { mode: 'vip', ports: [port] } }), {
        endpoint: { ports: [port] },
      }),
    );
    await c.settle();
    const s = c.service();
    expect(s.updateStatus?.state).toBe('paused');
    expect(s.updateStatus?.message).toMatch(
      /^update paused: cannot roll back: .*8080\/tcp.*service api already publishes it/,
    );
    expect(s.spec.taskTemplate.containerSpec.image).toBe('bad:1');
    expect(s.spec.endpointSpec.ports).toEqual([]);
  });

  it('keeps going with failure action continue', async () => {
    const c = await cluster(3, { failureAction: 'continue' });
    await c.converge();
    c.failing.add('bad:1');
    await c.updateSpec((s) => (s.taskTemplate.containerSpec.image = 'bad:1'));
    await c.settle();
    expect(c.service().updateStatus?.state).toBe('completed');
    expect(images(c.tasks())).toEqual(Array(3).fill('bad:1'));
  });

  it('tolerates failures up to the max failure ratio', async () => {
    const c = await cluster(4, { maxFailureRatio: 0.5 });
    await c.converge();
    // Only the first two new tasks fail: 2/4 = 0.5 is not above the ratio.
    c.failing.add('flaky:1');
    await c.updateSpec((s) => (s.taskTemplate.containerSpec.image = 'flaky:1'));
    for (let i = 0; i < 200; i++) {
      await c.step();
      const failures = c.tasks().filter((t) => t.status.state === 'failed').length;
      if (failures >= 2) c.failing.delete('flaky:1');
      if (c.service().updateStatus?.state !== 'updating') break;
    }
    expect(c.service().updateStatus?.state).toBe('completed');

    // A third failure in a 4-replica update (0.75) is above the ratio: paused.
    const d = await cluster(4, { maxFailureRatio: 0.5 });
    await d.converge();
    d.failing.add('bad:1');
    await d.updateSpec((s) => (s.taskTemplate.containerSpec.image = 'bad:1'));
    await d.settle();
    expect(d.service().updateStatus?.state).toBe('paused');
    expect(d.tasks().filter((t) => t.status.state === 'failed').length).toBeGreaterThanOrEqual(3);
  });

  it('pauses a rollback that fails instead of rolling back again', async () => {
    const c = await cluster(2, { failureAction: 'rollback' });
    await c.converge();
    c.failing.add('busybox:latest');
    c.failing.add('bad:1');
    await c.updateSpec((s) => (s.taskTemplate.containerSpec.image = 'bad:1'));
    await c.settle();
    expect(c.service().updateStatus?.state).toBe('rollback_paused');
    expect(c.service().updateStatus?.message).toMatch(/^rollback paused due to failure/);
  });
});

describe('manual rollback', () => {
  it('restores the previous spec with the rollback config', async () => {
    const c = await cluster(3);
    await c.converge();
    await c.updateSpec((s) => (s.taskTemplate.containerSpec.image = 'busybox:2'));
    await c.settle();
    expect(c.service().updateStatus?.state).toBe('completed');
    // What POST /services/:id/rollback writes.
    await c.store.update((tx) => {
      const s = tx.get('service', 'web')!;
      [s.spec, s.previousSpec] = [s.previousSpec!, s.spec];
      s.version++;
      s.updateStatus = {
        state: 'rollback_started',
        message: 'manually requested rollback',
        serviceVersion: s.version,
      };
      tx.update('service', s);
    });
    await c.settle();
    expect(c.service().updateStatus).toMatchObject({
      state: 'rollback_completed',
      message: 'rollback completed',
    });
    expect(images(c.tasks())).toEqual(Array(3).fill('busybox:latest'));
  });

  it('leaves a service alone when only its replica count changes', async () => {
    const c = await cluster(2);
    await c.converge();
    await c.updateSpec((s) => (s.mode = { replicated: { replicas: 4 } }));
    await c.settle(10);
    expect(c.service().updateStatus).toBeUndefined();
    expect(images(c.tasks())).toHaveLength(4);
  });
});
