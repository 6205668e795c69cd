// The cluster end to end with real parts: three machines (network namespaces), a manager with its
// embedded etcd, one real agent per machine running real containers (runc + conmon), images from
// a real docker-registry. One cluster is shared by the tests of this file, which run in order.
//
// Root only. Names: fle-m1..3 on fle-lan, 10.98.0.0/24 (never the quickstart's flt / 10.99.0).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Cluster, useCluster, waitFor } from './cluster-harness.js';
import { run, type RunResult } from './harness/index.js';

const isRoot = process.getuid?.() === 0;

describe.runIf(isRoot)('cluster with real agents', () => {
  const c = new Cluster();
  const web = () => c.image('web:v1');

  useCluster(c);

  it('spreads a replicated service over the three nodes, with real containers on each', async () => {
    const r = await c.flt('service', 'create', '-d', '--name', 'rep', '--replicas', '3', web());
    expect(r.code, r.output).toBe(0);
    await c.converged('rep', 3);
    expect(await c.spread('rep')).toEqual({ 'fle-m1': 1, 'fle-m2': 1, 'fle-m3': 1 });
    for (const i of c.machines) expect(await c.containersOn(i, 'rep')).toHaveLength(1);
  });

  it('scales up and down', async () => {
    let r = await c.flt('service', 'scale', '-d', 'rep=6');
    expect(r.code, r.output).toBe(0);
    await c.converged('rep', 6);
    expect(await c.spread('rep')).toEqual({ 'fle-m1': 2, 'fle-m2': 2, 'fle-m3': 2 });
    r = await c.flt('service', 'scale', '-d', 'rep=2');
    expect(r.code, r.output).toBe(0);
    const tasks = await c.converged('rep', 2);
    expect(tasks.map((t) => t.slot).sort()).toEqual([1, 2]);
  });

  it('runs a global service on every node', async () => {
    const r = await c.flt('service', 'create', '-d', '--name', 'glob', '--mode', 'global', web());
    expect(r.code, r.output).toBe(0);
    await c.converged('glob', 3);
    expect(await c.spread('glob')).toEqual({ 'fle-m1': 1, 'fle-m2': 1, 'fle-m3': 1 });
    for (const i of c.machines) expect(await c.containersOn(i, 'glob')).toHaveLength(1);
    const ids = new Set((await c.tasks('glob')).map((t) => t.id));
    expect((await c.flt('service', 'rm', 'glob')).code).toBe(0);
    await waitFor('glob containers gone', async () => {
      for (const i of c.machines) if ((await c.containersOn(i, ids)).length) return false;
      return true;
    });
  });

  it('places by constraint, and drain moves tasks away', async () => {
    let r = await c.flt(
      'service',
      'create',
      '-d',
      '--name',
      'pinned',
      '--replicas',
      '2',
      '--constraint',
      'node.hostname==fle-m2',
      web(),
    );
    expect(r.code, r.output).toBe(0);
    await c.converged('pinned', 2);
    expect(await c.spread('pinned')).toEqual({ 'fle-m2': 2 });
    expect(await c.containersOn(2, 'pinned')).toHaveLength(2);
    expect((await c.flt('service', 'rm', 'pinned')).code).toBe(0);

    r = await c.flt('service', 'scale', '-d', 'rep=3');
    expect(r.code, r.output).toBe(0);
    await c.converged('rep', 3);
    r = await c.flt('node', 'update', '--availability', 'drain', 'fle-m3');
    expect(r.code, r.output).toBe(0);
    await c.converged('rep', 3);
    const spread = await c.spread('rep');
    expect(spread['fle-m3']).toBeUndefined();
    expect(await c.containersOn(3, 'rep')).toHaveLength(0);
    r = await c.flt('node', 'update', '--availability', 'active', 'fle-m3');
    expect(r.code, r.output).toBe(0);
  });

  it('marks a node down when its agent is killed, and reschedules its tasks', async () => {
    const r = await c.flt('service', 'scale', '-d', 'rep=6');
    expect(r.code, r.output).toBe(0);
    await c.converged('rep', 6);
    // A machine other than the manager's that runs tasks of rep.
    const ids = new Map<number, string>();
    for (const i of [2, 3]) ids.set(i, await c.nodeIdOf(i));
    const running = await c.running('rep');
    const k = [2, 3].find((i) => running.some((t) => t.nodeId === ids.get(i)));
    expect(k, 'rep runs on fle-m2 or fle-m3').toBeDefined();
    const victim = ids.get(k!)!;
    // kill -9 the agent process only (its PID), not its containers.
    await c.stopProc(`agent-m${k}`, 'SIGKILL');
    await waitFor(
      `fle-m${k} down`,
      async () => (await c.nodes()).find((n) => n.id === victim)?.status.state === 'down',
      120_000,
    );
    await waitFor(
      `rep rescheduled off fle-m${k}`,
      async () => {
        const run = await c.running('rep');
        const slots = new Set(run.map((t) => t.slot));
        return run.length === 6 && slots.size === 6 && run.every((t) => t.nodeId !== victim);
      },
      240_000,
      async () => (await c.flt('service', 'ps', 'rep')).output,
    );
    // The agent comes back (identity reused, no token): its stale containers are stopped.
    c.startAgent(k!);
    await waitFor(
      `fle-m${k} ready again`,
      async () => (await c.nodes()).find((n) => n.id === victim)?.status.state === 'ready',
      180_000,
    );
    await waitFor(`stale containers on fle-m${k} stopped`, async () => {
      return (await c.containersOn(k!, 'rep')).length === 0;
    });
    await c.converged('rep', 6);
  });

  let refused: RunResult | undefined;
  it('refuses an agent with a bad join token', async () => {
    // A fourth machine, so the refused agent shares nothing with the three nodes.
    const m = await run('bash', [join(repoDir(), 'deploy/lib/machines.sh'), 'up', '4', c.prefix], {
      env: { ...process.env, FLT_LAN_PREFIX: c.lan },
    });
    expect(m.code, m.output).toBe(0);
    const bad = c.token.replace(/-[^-]+$/, '-notthesecret0000000000000000');
    const r = await run(
      'nsenter',
      [
        `--net=/run/netns/${c.ns(4)}`,
        join(repoDir(), 'bin', 'flotilla'),
        'agent',
        '--data-root',
        join(c.dir, 'm4'),
        '--exec-root',
        join(c.dir, 'run-m4'),
        '--node-subnet',
        '10.248.4.0/24',
        '--hostname',
        c.ns(4),
        '--join',
        `${c.addr(1)}:4242`,
        '--token',
        bad,
      ],
      // Killed (code 124) if it is still running by then: see the next case.
      { env: c.env, timeoutMs: 45_000 },
    );
    refused = r;
    expect(r.code, r.output).not.toBe(0);
    expect(r.output).toMatch(/token/i);
    expect((await c.nodes()).map((n) => n.description.hostname)).not.toContain(c.ns(4));
  });

  // runAgent starts the API server and runtime before the join; a refused join must still end the
  // process (bin/flotilla exits on any failed command) instead of leaving it up with its socket.
  it('an agent refused at join exits instead of hanging', () => {
    expect(refused, 'the previous case ran').toBeDefined();
    expect(refused!.code, refused!.output).not.toBe(124);
  });

  it('refuses a bad service spec with a clear error', async () => {
    const r = await c.flt('service', 'create', '-d', '--name', 'bad', '--replicas', '-2', web());
    expect(r.code).not.toBe(0);
    expect(r.output).toMatch(/replicas/i);
    const o = await c.flt(
      'service',
      'create',
      '-d',
      '--name',
      'bad2',
      '--update-order',
      'x',
      web(),
    );
    expect(o.code).not.toBe(0);
    expect(o.output).toMatch(/order/i);
    const ls = await c.flt('service', 'ls', '--format', 'json');
    expect(ls.stdout).not.toMatch(/"bad2?"/);
  });

  it('keeps the state across a restart of the manager that owns the embedded etcd', async () => {
    const containers = async () => {
      const all: string[] = [];
      for (const i of c.machines) all.push(...(await c.containersOn(i, 'rep')));
      return all.sort();
    };
    const before = await containers();
    const want = (await c.running('rep')).length;
    expect(before).toHaveLength(want);
    // Stop the manager (its embedded etcd stops with it) and start it again on the same data.
    await c.stopProc('manager2', 'SIGTERM');
    await c.stopProc('manager', 'SIGTERM');
    const ctxFile = join(c.dir, 'cli', 'contexts', `${c.context}.json`);
    const ctx = JSON.parse(readFileSync(ctxFile, 'utf8')) as { managers: string[] };
    ctx.managers = ctx.managers.filter((a) => !a.endsWith(':4253'));
    writeFileSync(ctxFile, JSON.stringify(ctx, null, 2));
    c.startManager('manager', 1, []);
    await waitFor(
      'the manager API again',
      async () => (await c.flt('cluster', 'info')).code === 0,
      180_000,
      async () => c.logTail('manager'),
    );
    const tasks = await c.converged('rep', want);
    expect(tasks).toHaveLength(want);
    // The containers kept running through the restart: the same ones, not replacements.
    expect(await containers()).toEqual(before);
    const ls = await c.flt('service', 'ls', '--format', 'json');
    expect(ls.stdout).toContain('"rep"');
  });
  // Agents joined through manager 1 learn manager 2 from the manager list their session gets when
  // it joins (manager/directory.ts), and reconnect there when manager 1 is killed.
  it('fails over to a second manager when the leader is killed, losing and duplicating nothing', async () => {
    // The second manager runs on machine 1 too: the embedded etcd listens on that loopback.
    c.startManager('manager2', 1, [
      '--join',
      `${c.addr(1)}:4242`,
      '--token',
      c.managerToken,
      ...c.etcdFlags('manager'),
    ]);
    // The CLI context learns the second manager's API address (tried after the first).
    const ctxFile = join(c.dir, 'cli', 'contexts', `${c.context}.json`);
    const ctx = JSON.parse(readFileSync(ctxFile, 'utf8')) as { managers: string[] };
    ctx.managers = [...ctx.managers.filter((a) => !a.endsWith(':4253')), `${c.addr(1)}:4253`];
    writeFileSync(ctxFile, JSON.stringify(ctx, null, 2));
    await waitFor(
      'two managers',
      async () => {
        const i = await c.flt('cluster', 'info', '--format', 'json');
        return ((JSON.parse(i.stdout) as { managers?: unknown[] }).managers ?? []).length === 2;
      },
      120_000,
      async () => c.logTail('manager2'),
    );
    // Each agent is told of manager 2 on its session (the managers re-read the list every second)
    // and keeps it in node.json; killing manager 1 before that would leave it nowhere to go.
    const known = (i: number) =>
      (
        JSON.parse(readFileSync(join(c.dataRoot(i), 'node', 'node.json'), 'utf8')) as {
          managers: string[];
        }
      ).managers;
    await waitFor(
      'every agent knows manager2',
      async () => c.machines.every((i) => known(i).includes(`${c.addr(1)}:4252`)),
      60_000,
      async () => c.machines.map((i) => `machine ${i}: ${known(i).join(' ')}`).join('\n'),
    );
    const before = (await c.running('rep')).map((t) => t.id).sort();
    expect(before).toHaveLength(6);
    await c.stopProc('manager', 'SIGKILL');
    // Heartbeats are kept per manager: the agents must open sessions with manager2 (they learn
    // its address from the managers list sent on their session) or it marks them down.
    await waitFor(
      'every agent in session with manager2',
      async () =>
        c.machines.every((i) =>
          readFileSync(c.procs.get(`agent-m${i}`)!.log, 'utf8')
            .split('\n')
            .some((l) => l.includes('session open') && l.includes(':4252')),
        ),
      120_000,
      async () => c.machines.map((i) => c.logTail(`agent-m${i}`, 5)).join('\n'),
    );
    await waitFor(
      'manager2 leads',
      async () => {
        const i = await c.flt('cluster', 'info', '--format', 'json');
        const info = JSON.parse(i.stdout) as { manager: { leader: boolean; apiAddr: string } };
        return info.manager.leader && info.manager.apiAddr.endsWith(':4253');
      },
      120_000,
      async () => c.logTail('manager2'),
    );
    // Nodes reconnect to the manager they know of; all three ready again.
    await waitFor(
      'three ready nodes under manager2',
      async () => (await c.nodes()).filter((n) => n.status.state === 'ready').length === 3,
      180_000,
      async () => (await c.flt('node', 'ls')).output,
    );
    // Still exactly six running tasks, one per slot, six containers: nothing lost or duplicated.
    await c.converged('rep', 6);
    const after = (await c.running('rep')).map((t) => t.id).sort();
    expect(after).toEqual(before);
    // And the new leader schedules: scale works.
    const r = await c.flt('service', 'scale', '-d', 'rep=4');
    expect(r.code, r.output).toBe(0);
    await c.converged('rep', 4);
  });
});

function repoDir(): string {
  return join(import.meta.dirname, '..', '..');
}
