// Faults of one agent and of the manager during an update, on one cluster: a full data root (a
// 64 MiB tmpfs under machine 3's agent, filled), the SIGKILL of an agent with running containers
// and its restart, and the restart of the manager (with its etcd) in the middle of a rolling
// update. Each case checks that no task slot is lost or duplicated.
//
// Root only. Names: fla-m1..3 on fla-lan, 10.90.0.0/24.
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Cluster, useCluster, waitFor, type TaskRow } from '../e2e/cluster-harness.js';
import { run } from '../e2e/harness/index.js';

const isRoot = process.getuid?.() === 0;

describe.runIf(isRoot)('agent faults and a manager restart mid-update', () => {
  const c = new Cluster({ prefix: 'fla', lan: '10.90.0', smallDataRoots: { 3: '64m' } });
  useCluster(c);

  const create = async (name: string, replicas: number, image: string, ...flags: string[]) => {
    const r = await c.flt(
      'service',
      'create',
      '-d',
      '--name',
      name,
      '--replicas',
      String(replicas),
      ...flags,
      image,
    );
    expect(r.code, r.output).toBe(0);
  };
  /** Task id → container id of SERVICE's running tasks. */
  const containersOf = async (service: string) =>
    new Map((await c.running(service)).map((t) => [t.id, t.status.containerId]));
  /** Container id → name of the running containers on machine I (the agent's engine API). */
  const engineContainers = async (i: number) => {
    const r = await c.fltOn(i, 'ps', '--no-trunc', '--format', '{{.ID}} {{.Names}}');
    if (r.code !== 0) throw new Error(r.output);
    return new Map(
      r.stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split(' ') as [string, string]),
    );
  };
  const nodeDownLogged = (nodeId: string) =>
    readFileSync(c.procs.get('manager')!.log, 'utf8')
      .split('\n')
      .some((l) => l.includes('"node down') && l.includes(nodeId));

  it('fails tasks on a full data root with a task error naming it, and runs them once space returns', async () => {
    const fill = join(c.dataRoot(3), 'fill');
    // dd stops at ENOSPC: the data root is full.
    const dd = await run('dd', ['if=/dev/zero', `of=${fill}`, 'bs=1M']);
    expect(dd.output).toMatch(/No space left on device/);
    // web:v2 has never been on machine 3: its pull has to write to the full disk.
    await create(
      'full',
      1,
      c.image('web:v2'),
      '--constraint',
      `node.hostname==${c.ns(3)}`,
      '--restart-delay',
      '1s',
    );
    const failed = await waitFor(
      'a task failed for want of space',
      async () =>
        (await c.tasks('full')).find(
          (t) => t.status.state === 'failed' || t.status.state === 'rejected',
        ),
      120_000,
      async () => (await c.flt('service', 'ps', '--no-trunc', 'full')).output,
    );
    expect(`${failed.status.err} ${failed.status.message}`).toMatch(
      /no space left on device|ENOSPC/i,
    );
    // Nothing crashed: the agent runs on, its node is ready.
    expect(c.procs.get('agent-m3')!.exited).toBe(false);
    const node3 = await c.nodeIdOf(3);
    expect((await c.nodes()).find((n) => n.id === node3)?.status.state).toBe('ready');
    // Space returns: the next attempt runs.
    await rm(fill);
    const [t] = await c.converged('full', 1, 120_000);
    expect(t.nodeId).toBe(node3);
    const ids = new Set((await c.tasks('full')).map((x) => x.id));
    expect((await c.flt('service', 'rm', 'full')).code).toBe(0);
    await waitFor('full removed from m3', async () => (await c.containersOn(3, ids)).length === 0);
  });

  it('adopts the running containers of an agent killed with SIGKILL and restarted', async () => {
    await create('adopt', 3, c.image('web:v1'), '--max-replicas-per-node', '1');
    await c.converged('adopt', 3);
    const k = 2;
    const nodeK = await c.nodeIdOf(k);
    const before = await containersOf('adopt');
    const onK = (await c.running('adopt')).filter((t) => t.nodeId === nodeK);
    expect(onK).toHaveLength(1);
    const engineBefore = await engineContainers(k);
    expect(engineBefore.has(onK[0].status.containerId!)).toBe(true);
    // kill -9 of the agent process alone: conmon keeps its containers running.
    const killedAt = Date.now();
    await c.stopProc(`agent-m${k}`, 'SIGKILL');
    const log = c.procs.get(`agent-m${k}`)!.log;
    const logFrom = readFileSync(log).length;
    c.startAgent(k);
    await waitFor(`a session of fla-m${k} again`, async () =>
      readFileSync(log).subarray(logFrom).toString().includes('"msg":"session open"'),
    );
    console.log(`chaos: agent back in session ${Date.now() - killedAt} ms after its SIGKILL`);
    // The same tasks, in the same containers, never restarted, and the node was never down.
    const tasks = await c.converged('adopt', 3);
    expect(new Map(tasks.map((t) => [t.id, t.status.containerId]))).toEqual(before);
    const engineAfter = await engineContainers(k);
    expect(engineAfter.get(onK[0].status.containerId!)).toBe(
      engineBefore.get(onK[0].status.containerId!),
    );
    expect(nodeDownLogged(nodeK)).toBe(false);
    expect((await c.flt('service', 'rm', 'adopt')).code).toBe(0);
  });

  it('resumes a rolling update after a restart of the manager and its etcd', async () => {
    const replicas = 4;
    await create(
      'roll',
      replicas,
      c.image('web:v1'),
      '--update-parallelism',
      '1',
      '--update-delay',
      '2s',
    );
    await c.converged('roll', replicas);
    const inspect = async () => {
      const r = await c.flt('service', 'inspect', 'roll');
      if (r.code !== 0) throw new Error(r.output);
      return (JSON.parse(r.stdout) as { updateStatus?: { state: string } }[])[0];
    };
    const v2 = c.image('web:v2');
    // Every look at the tasks while the update runs (the manager's outage leaves gaps).
    const looks: TaskRow[][] = [];
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        const look = await c.tasks('roll').catch(() => undefined);
        if (look) looks.push(look);
        await new Promise((res) => setTimeout(res, 300));
      }
    })();
    try {
      expect((await c.flt('service', 'update', '-d', '--image', v2, 'roll')).code).toBe(0);
      await waitFor('the update under way', async () => {
        const on2 = (await c.running('roll')).filter((t) => t.spec.containerSpec.image === v2);
        return on2.length >= 1 && on2.length < replicas;
      });
      const etcdPid = Number(readFileSync(join(c.dir, 'manager', 'etcd.pid'), 'utf8'));
      await c.stopProc('manager', 'SIGKILL');
      try {
        process.kill(etcdPid, 'SIGKILL');
      } catch {
        // gone already
      }
      c.startManager('manager', 1, []);
      await waitFor(
        'the update completed',
        async () => (await inspect()).updateStatus?.state === 'completed',
        240_000,
        async () => JSON.stringify(await inspect()) + c.logTail('manager'),
      );
    } finally {
      watching = false;
      await watcher;
    }
    const tasks = await c.converged('roll', replicas);
    expect(tasks.every((t) => t.spec.containerSpec.image === v2)).toBe(true);
    // Parallelism 1, stop-first: never more than one slot without its running task, and never
    // two running tasks in one slot.
    for (const look of looks) {
      const live = look.filter((t) => t.desiredState === 'running' && t.status.state === 'running');
      expect(new Set(live.map((t) => t.slot)).size).toBe(live.length);
      expect(live.length).toBeGreaterThanOrEqual(replicas - 1);
    }
    expect(looks.length).toBeGreaterThan(3);
  });
});
