import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../shared/log/index.js';
import type { Task, TaskStatus } from '../../shared/model/index.js';
import { FakeEngine, makeService, makeSpec, makeTask } from '../../test/harness/cluster/index.js';
import { Executor } from './executor.js';
import { defaultHooks } from './hooks/index.js';

const settle = () => new Promise((r) => setTimeout(r, 10));

function setup(ingressDrainMs?: number) {
  const engine = new FakeEngine();
  const reports: { taskId: string; status: TaskStatus }[] = [];
  const executor = new Executor({
    engine,
    log: silentLogger(),
    nodeId: 'n1',
    report: (taskId, status) => reports.push({ taskId, status }),
    ingressDrainMs,
  });
  const svc = makeService('web', makeSpec('web'));
  const assigned = (id: string, o: Partial<Task> = {}) =>
    makeTask(id, svc, {
      nodeId: 'n1',
      status: { state: 'assigned', timestamp: '2026-01-01T00:00:00Z', message: '' },
      ...o,
    });
  const states = (taskId: string) =>
    reports.filter((r) => r.taskId === taskId).map((r) => r.status.state);
  return { engine, executor, reports, assigned, states };
}

describe('Executor', () => {
  it('runs a task through the hooks and reports each state in order', async () => {
    const { engine, executor, assigned, states } = setup();
    await executor.apply(true, [{ action: 'assign', task: assigned('t1') }]);
    await settle();
    expect(states('t1')).toEqual(['accepted', 'preparing', 'ready', 'starting', 'running']);
    const c = engine.byTask('t1')!;
    expect(c.state).toBe('running');
    expect(c.opts.labels).toMatchObject({
      'com.flotilla.task.id': 't1',
      'com.flotilla.task.slot': '1',
    });
  });

  it('reports failed with the exit code when the container exits non-zero, complete on 0', async () => {
    const { engine, executor, assigned, reports, states } = setup();
    await executor.apply(true, [
      { action: 'assign', task: assigned('t1') },
      { action: 'assign', task: assigned('t2', { slot: 2 }) },
    ]);
    await settle();
    engine.exit(engine.byTask('t1')!.id, 3);
    engine.exit(engine.byTask('t2')!.id, 0);
    await settle();
    expect(states('t1').at(-1)).toBe('failed');
    expect(reports.findLast((r) => r.taskId === 't1')?.status.exitCode).toBe(3);
    expect(states('t2').at(-1)).toBe('complete');
  });

  it('fails a task whose container turns unhealthy', async () => {
    const { engine, executor, assigned, states } = setup();
    await executor.apply(true, [{ action: 'assign', task: assigned('t1') }]);
    await settle();
    engine.health(engine.byTask('t1')!.id, 'unhealthy');
    await settle();
    expect(states('t1').at(-1)).toBe('failed');
    expect(engine.byTask('t1')!.state).toBe('exited');
  });

  it('stops the container and reports shutdown when the desired state becomes shutdown', async () => {
    const { engine, executor, assigned, states } = setup();
    await executor.apply(true, [{ action: 'assign', task: assigned('t1') }]);
    await settle();
    await executor.apply(false, [
      { action: 'assign', task: assigned('t1', { desiredState: 'shutdown' }) },
    ]);
    await settle();
    expect(states('t1').at(-1)).toBe('shutdown');
    expect(engine.byTask('t1')!.state).toBe('exited');
    await executor.apply(false, [{ action: 'remove', taskId: 't1' }]);
    await settle();
    expect(engine.byTask('t1')).toBeUndefined();
  });

  it('stops a container its start hook was starting when the task was stopped', async () => {
    // The stop (a node marked down, its tasks orphaned) arrives while `start` runs.
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const hooks = defaultHooks.map((h) =>
      h.name === 'start'
        ? {
            name: h.name,
            run: async (ctx: Parameters<typeof h.run>[0]) => {
              await gate;
              await h.run(ctx);
            },
          }
        : h,
    );
    const engine = new FakeEngine();
    const executor = new Executor({
      engine,
      log: silentLogger(),
      nodeId: 'n1',
      report: () => {},
      hooks,
    });
    const svc = makeService('web', makeSpec('web'));
    const task = (o: Partial<Task> = {}) =>
      makeTask('t1', svc, {
        nodeId: 'n1',
        status: { state: 'assigned', timestamp: '2026-01-01T00:00:00Z', message: '' },
        ...o,
      });
    await executor.apply(true, [{ action: 'assign', task: task() }]);
    await settle();
    await executor.apply(false, [{ action: 'assign', task: task({ desiredState: 'shutdown' }) }]);
    release();
    await settle();
    expect(engine.byTask('t1')!.state).toBe('exited');
  });

  it('fails a task whose pull found the disk full, naming it (no fallback to a local image)', async () => {
    const engine = new FakeEngine();
    const reports: { taskId: string; status: TaskStatus }[] = [];
    const enospc = Object.assign(
      new Error("ENOSPC: no space left on device, write '/var/lib/flotilla/content/ingest/x'"),
      { code: 'ENOSPC' },
    );
    const executor = new Executor({
      engine,
      log: silentLogger(),
      nodeId: 'n1',
      report: (taskId, status) => reports.push({ taskId, status }),
      images: {
        pull: () => Promise.reject(new Error('pulling busybox: layer failed', { cause: enospc })),
      },
    });
    const svc = makeService('web', makeSpec('web'));
    const t = makeTask('t1', svc, {
      nodeId: 'n1',
      status: { state: 'assigned', timestamp: '2026-01-01T00:00:00Z', message: '' },
    });
    await executor.apply(true, [{ action: 'assign', task: t }]);
    await settle();
    expect(reports.at(-1)?.status).toMatchObject({ state: 'failed' });
    expect(reports.at(-1)?.status.err).toMatch(/^pulling busybox: layer failed: ENOSPC: no space/);
    expect(engine.byTask('t1')).toBeUndefined();
  });

  it('reports a failed pull/create as failed with the stage in the message', async () => {
    const { engine, executor, assigned, reports } = setup();
    engine.failCreate = new Error('image busybox:latest not found');
    await executor.apply(true, [{ action: 'assign', task: assigned('t1') }]);
    await settle();
    expect(reports.at(-1)?.status).toMatchObject({
      state: 'failed',
      message: 'create: image busybox:latest not found',
    });
  });

  it('adopts running containers after a restart instead of starting them again', async () => {
    const { engine, executor, assigned } = setup();
    await executor.apply(true, [{ action: 'assign', task: assigned('t1') }]);
    await settle();
    await executor.stop();
    // A new agent process with the same engine: the manager sends the task as running.
    const reports2: string[] = [];
    const again = new Executor({
      engine,
      log: silentLogger(),
      nodeId: 'n1',
      report: (_id, s) => reports2.push(s.state),
    });
    const running = assigned('t1', {
      status: { state: 'running', timestamp: '2026-01-01T00:00:00Z', message: '' },
    });
    await again.apply(true, [{ action: 'assign', task: running }]);
    await settle();
    expect(engine.starts).toBe(1);
    expect(reports2).toEqual([]);
    engine.exit(engine.byTask('t1')!.id, 1);
    await settle();
    expect(reports2).toEqual(['failed']);
  });

  it('removes containers of tasks missing from a full assignment set', async () => {
    const { engine, executor, assigned } = setup();
    await executor.apply(true, [
      { action: 'assign', task: assigned('t1') },
      { action: 'assign', task: assigned('t2', { slot: 2 }) },
    ]);
    await settle();
    await executor.apply(true, [{ action: 'assign', task: assigned('t2', { slot: 2 }) }]);
    await settle();
    expect(engine.byTask('t1')).toBeUndefined();
    expect(engine.byTask('t2')?.state).toBe('running');
    expect(engine.starts).toBe(2);
  });

  it('reports a task failed when the manager thinks it runs but its container is gone', async () => {
    const { executor, assigned, states } = setup();
    const running = assigned('t1', {
      status: { state: 'running', timestamp: '2026-01-01T00:00:00Z', message: '' },
    });
    await executor.apply(true, [{ action: 'assign', task: running }]);
    expect(states('t1')).toEqual(['failed']);
  });

  it('reports again what the manager missed when a new session sends the full set', async () => {
    const { executor, assigned, states } = setup();
    await executor.apply(true, [{ action: 'assign', task: assigned('t1') }]);
    await settle();
    // The manager still believes 'assigned': the running report was lost with the old stream.
    await executor.apply(true, [{ action: 'assign', task: assigned('t1') }]);
    expect(states('t1').slice(-2)).toEqual(['running', 'running']);
  });

  const overlay: Partial<Task> = {
    networks: [
      {
        networkId: 'n1',
        name: 'app',
        subnet: '10.10.0.0/24',
        gateway: '10.10.0.1',
        vni: 4096,
        address: '10.10.0.5',
        aliases: ['web'],
        internal: false,
        encrypted: false,
      },
    ],
  };
  const ingress: Partial<Task> = {
    endpointPorts: [{ target: 80, published: 8080, protocol: 'tcp', mode: 'ingress' }],
  };
  it.each([
    ['ingress ports', ingress],
    ['an overlay network (DNS, VIPs)', overlay],
  ])('keeps a task with %s running through the drain delay before stopping it', async (_, o) => {
    const { engine, executor, assigned, states } = setup(300);
    await executor.apply(true, [{ action: 'assign', task: assigned('t1', o) }]);
    await settle();
    expect(states('t1').at(-1)).toBe('running');
    await executor.apply(false, [
      { action: 'assign', task: assigned('t1', { ...o, desiredState: 'shutdown' }) },
    ]);
    await settle();
    // Other nodes are dropping it from their rules and DNS: it still serves what reaches it.
    expect(engine.byTask('t1')!.state).toBe('running');
    for (let i = 0; i < 100 && engine.byTask('t1')!.state === 'running'; i++) await settle();
    expect(engine.byTask('t1')!.state).toBe('exited');
    expect(states('t1').at(-1)).toBe('shutdown');
  });

  it('stops a task with neither at once', async () => {
    const { engine, executor, assigned } = setup(60_000);
    await executor.apply(true, [{ action: 'assign', task: assigned('t1') }]);
    await settle();
    await executor.apply(false, [
      { action: 'assign', task: assigned('t1', { desiredState: 'shutdown' }) },
    ]);
    for (let i = 0; i < 100 && engine.byTask('t1')!.state === 'running'; i++) await settle();
    expect(engine.byTask('t1')!.state).toBe('exited');
  });
});
