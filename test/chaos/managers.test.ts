// Three managers with the embedded etcd on three machines (network namespaces), joined with
// `manager --join` alone, and what faults do to them: SIGKILL of the leading manager (with its
// etcd, as if its machine died), SIGKILL of one etcd member, the loss of quorum, and the removal of
// a manager. Each case checks that no task slot is lost or duplicated.
//
// Root only. Names: flc-m1..3 on flc-lan, 10.87.0.0/24.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { etcdPkiFiles } from '../../manager/etcd/index.js';
import { Cluster, jsonLines, useCluster, waitFor, type NodeRow } from '../e2e/cluster-harness.js';
import { run, runInNetns } from '../e2e/harness/index.js';

const isRoot = process.getuid?.() === 0;

/** Manager NAME per machine: the first is the harness's `manager` (it ran --init). */
const managerOn = (i: number) => (i === 1 ? 'manager' : `manager-m${i}`);

describe.runIf(isRoot)('three managers with the embedded etcd', () => {
  const c = new Cluster({ prefix: 'flc', lan: '10.87.0' });
  useCluster(c);

  /** The etcd members as etcdctl (run on machine I with its manager's certificate) lists them. */
  const members = async (i: number) => {
    const root = join(c.dir, managerOn(i));
    const { clientPort } = JSON.parse(readFileSync(join(root, 'etcd-ports.json'), 'utf8')) as {
      clientPort: number;
    };
    const f = etcdPkiFiles(join(root, 'etcd-pki'));
    const r = await runInNetns(c.ns(i), 'etcdctl', [
      `--endpoints=https://127.0.0.1:${clientPort}`,
      `--cacert=${f.caFile}`,
      `--cert=${f.clientCertFile}`,
      `--key=${f.clientKeyFile}`,
      'member',
      'list',
      '-w',
      'json',
    ]);
    if (r.code !== 0) throw new Error(r.output);
    return (JSON.parse(r.stdout) as { members: { name?: string; isLearner?: boolean }[] }).members;
  };
  const etcdPid = (i: number) =>
    Number(readFileSync(join(c.dir, managerOn(i), 'etcd.pid'), 'utf8'));
  const info = async () => {
    const r = await c.flt('cluster', 'info', '--format', 'json');
    if (r.code !== 0) throw new Error(r.output);
    return JSON.parse(r.stdout) as {
      manager: { apiAddr: string; leader: boolean };
      leader: { apiAddr: string } | null;
      managers: { apiAddr: string }[];
    };
  };
  const managerStatus = async () => {
    const r = await c.flt('node', 'ls', '--format', 'json');
    if (r.code !== 0) throw new Error(r.output);
    const out: Record<string, string> = {};
    for (const n of jsonLines<
      NodeRow & { managerStatus?: { leader: boolean; reachability: string } }
    >(r.stdout))
      out[n.description.hostname] = n.managerStatus
        ? n.managerStatus.leader
          ? 'leader'
          : n.managerStatus.reachability
        : '';
    return out;
  };
  const contextManagers = () =>
    (
      JSON.parse(readFileSync(join(c.dir, 'cli', 'contexts', `${c.context}.json`), 'utf8')) as {
        managers: string[];
      }
    ).managers;
  /** SIGKILL of manager I and of its etcd: the machine's control plane is gone at once. */
  const killMachineManager = async (i: number) => {
    const pid = etcdPid(i);
    await c.stopProc(managerOn(i), 'SIGKILL');
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };

  it('joins two managers with manager --join alone: three etcd members, three managers', async () => {
    for (const i of [2, 3]) {
      c.startManager(
        managerOn(i),
        i,
        ['--join', `${c.addr(1)}:4242`, '--token', c.managerToken],
        4242,
      );
      await waitFor(
        `manager on m${i} joined`,
        async () => (await info()).managers.length === i,
        180_000,
        async () => c.logTail(managerOn(i)),
      );
    }
    for (const i of c.machines) {
      const list = await members(i);
      expect(list).toHaveLength(3);
      expect(list.every((m) => m.name && !m.isLearner)).toBe(true);
    }
    // The machines' nodes become manager nodes; MANAGER STATUS shows who leads.
    for (const i of c.machines) expect((await c.flt('node', 'promote', c.ns(i))).code).toBe(0);
    expect(await managerStatus()).toEqual({
      'flc-m1': 'leader',
      'flc-m2': 'reachable',
      'flc-m3': 'reachable',
    });
    // The CLI context learned every manager from the answers.
    await waitFor('the context lists three managers', async () => {
      await info();
      return contextManagers().length === 3;
    });
    expect(contextManagers()[0]).toBe(`${c.addr(1)}:4243`);
  });

  it('survives the SIGKILL of the leading manager: the CLI fails over, a scale completes', async () => {
    let r = await c.flt(
      'service',
      'create',
      '-d',
      '--name',
      'rep',
      '--replicas',
      '3',
      c.image('web:v1'),
    );
    expect(r.code, r.output).toBe(0);
    await c.converged('rep', 3);
    // Agents must know the other managers before theirs goes (the directory on their session).
    const known = (i: number) =>
      (
        JSON.parse(readFileSync(join(c.dataRoot(i), 'node', 'node.json'), 'utf8')) as {
          managers: string[];
        }
      ).managers;
    await waitFor('every agent knows three managers', async () =>
      c.machines.every((i) => known(i).length >= 3),
    );
    const before = (await c.running('rep')).map((t) => t.id).sort();
    const killedAt = Date.now();
    await killMachineManager(1);
    // The context's first manager is gone: the CLI moves on to the next.
    await waitFor('the API through the context', async () => (await info()).managers.length >= 2);
    const answeredMs = Date.now() - killedAt;
    await waitFor('a new leader', async () => (await info()).manager.leader || !!(await info()));
    console.log(`chaos: API answered through the context ${answeredMs} ms after the SIGKILL`);
    await waitFor(
      'flc-m1 unreachable',
      async () => (await managerStatus())['flc-m1'] === 'unreachable',
    );
    const status = await managerStatus();
    expect(Object.values(status).filter((s) => s === 'leader')).toHaveLength(1);
    // Nothing lost or duplicated, and the new leader schedules.
    await c.converged('rep', 3);
    expect((await c.running('rep')).map((t) => t.id).sort()).toEqual(before);
    r = await c.flt('service', 'scale', '-d', 'rep=5');
    expect(r.code, r.output).toBe(0);
    const tasks = await c.converged('rep', 5);
    expect(new Set(tasks.map((t) => t.slot)).size).toBe(5);
  });

  it('takes the restarted manager back as a member, without --join', async () => {
    c.startManager(managerOn(1), 1, [], 4242);
    await waitFor(
      'three managers again',
      async () => (await info()).managers.length === 3,
      180_000,
      async () => c.logTail(managerOn(1)),
    );
    expect(await members(1)).toHaveLength(3);
    await waitFor(
      'flc-m1 reachable',
      async () => (await managerStatus())['flc-m1'] === 'reachable',
    );
  });

  // Each manager's etcd client sends its calls, watches and leases to its own member first and
  // pings its connections (manager/etcd/store-client.ts): with etcd3's random member per call and
  // no pings, the leader's calls that landed on the cut member hung for minutes.
  it('replaces the tasks of a machine cut off for 30 s; on its return its old containers stop', async () => {
    const want = (await c.running('rep')).length;
    const leaderAddr = (await info()).leader?.apiAddr;
    const k = [2, 3].find((i) => leaderAddr !== `${c.addr(i)}:4243`)!;
    const nodeK = await c.nodeIdOf(k);
    const old = new Set(
      (await c.running('rep')).filter((t) => t.nodeId === nodeK).map((t) => t.id),
    );
    expect(old.size).toBeGreaterThan(0);
    // The machine's link goes down: its agent and its manager are cut off together.
    const link = `${c.prefix}-m${k}h`;
    const cutAt = Date.now();
    expect((await run('ip', ['link', 'set', link, 'down'])).code).toBe(0);
    try {
      await waitFor(
        `rep replaced off flc-m${k}`,
        async () => {
          const r = await c.running('rep');
          return (
            r.length === want &&
            new Set(r.map((t) => t.slot)).size === want &&
            r.every((t) => t.nodeId !== nodeK)
          );
        },
        120_000,
        async () => {
          const ps = await c.flt('service', 'ps', 'rep');
          const nodes = await c.flt('node', 'ls');
          return [
            ps.output,
            nodes.output,
            ...[1, 2, 3].map((i) => c.logTail(managerOn(i), 20)),
          ].join('\n');
        },
      );
      console.log(
        `chaos: tasks of the cut-off machine running elsewhere ${Date.now() - cutAt} ms after the cut`,
      );
      // Meanwhile its containers run on: the agent cannot know it was replaced.
      expect(await c.containersOn(k, old)).toHaveLength(old.size);
      await new Promise((r) => setTimeout(r, Math.max(0, 30_000 - (Date.now() - cutAt))));
    } finally {
      await run('ip', ['link', 'set', link, 'up']);
    }
    await waitFor(`flc-m${k} ready again`, async () =>
      (await c.nodes()).some((n) => n.id === nodeK && n.status.state === 'ready'),
    );
    await waitFor(
      `old containers on flc-m${k} stopped`,
      async () => (await c.containersOn(k, old)).length === 0,
    );
    await c.converged('rep', want);
    await waitFor(
      'three managers again',
      async () => (await info()).managers.length === 3,
      120_000,
    );
  });

  it('restarts a SIGKILLed etcd member, the manager serving on meanwhile', async () => {
    const old = etcdPid(2);
    process.kill(old, 'SIGKILL');
    // Manager 2 answers through the other members while its own is down.
    await c.flt('service', 'scale', '-d', 'rep=4');
    await c.converged('rep', 4);
    await waitFor('etcd of m2 running again', async () => etcdPid(2) !== old);
    await waitFor('three members healthy', async () => (await members(2)).length === 3);
  });

  it('removes the etcd member of a demoted manager node, and that manager stops', async () => {
    await waitFor('three members', async () => (await members(1)).length === 3);
    const r = await c.flt('node', 'demote', c.ns(3));
    expect(r.code, r.output).toBe(0);
    await waitFor('manager m3 stopped', async () => c.procs.get(managerOn(3))!.exited, 60_000);
    expect(await members(1)).toHaveLength(2);
    await waitFor('two managers', async () => (await info()).managers.length === 2);
  });

  it('answers NO_QUORUM without quorum, keeps containers running, resumes when it returns', async () => {
    const ids = (await c.converged('rep', 4)).map((t) => t.id).sort();
    // Counted on the agents, by task id: without quorum the API answers nothing but NO_QUORUM.
    const containers = async () => {
      let n = 0;
      for (const i of c.machines) n += (await c.containersOn(i, new Set(ids))).length;
      return n;
    };
    // Of the two members left, one goes: the other has no quorum. Asked with a read: a write sent
    // in the moment before the manager knows may sit in etcd's log and commit once quorum returns.
    await killMachineManager(2);
    await waitFor('a NO_QUORUM answer', async () => {
      const x = await c.flt('--debug', 'service', 'ls');
      return x.code !== 0 && /NO_QUORUM/.test(x.output);
    });
    // Once the manager knows, a write is refused before it reaches etcd.
    const r = await c.flt('--debug', 'service', 'scale', '-d', 'rep=5');
    expect(r.code).toBe(1);
    expect(r.output).toMatch(/NO_QUORUM/);
    expect(r.output).toMatch(/no quorum/);
    expect(await containers()).toBe(4);
    // Quorum back: the cluster resumes without restarting a healthy task.
    c.startManager(managerOn(2), 2, [], 4242);
    await waitFor('quorum again', async () => (await info()).managers.length === 2, 180_000);
    expect((await c.converged('rep', 4)).map((t) => t.id).sort()).toEqual(ids);
    const s = await c.flt('service', 'scale', '-d', 'rep=5');
    expect(s.code, s.output).toBe(0);
    await c.converged('rep', 5);
  });

  it('recovers from one surviving manager with --force-new-cluster', async () => {
    await killMachineManager(2);
    await killMachineManager(1);
    c.startManager('manager', 1, ['--force-new-cluster'], 4242);
    await waitFor(
      'the API again',
      async () => !!(await info()),
      180_000,
      async () => c.logTail(managerOn(1)),
    );
    expect(await members(1)).toHaveLength(1);
    const s = await c.flt('service', 'scale', '-d', 'rep=3');
    expect(s.code, s.output).toBe(0);
    await c.converged('rep', 3);
  });

  it('backs up the store to a 0600 file with no key in the clear, and restores it', async () => {
    const file = join(c.dir, 'backup.db');
    const r = await c.flt('cluster', 'backup', file);
    expect(r.code, r.output).toBe(0);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const bytes = readFileSync(file);
    // The service is in it; the CA key (and every secret) only as ciphertext.
    expect(bytes.includes('"rep"')).toBe(true);
    expect(bytes.includes('PRIVATE KEY')).toBe(false);
    const again = await c.flt('cluster', 'backup', file);
    expect(again.code).toBe(1);
    expect(again.output).toMatch(/exists/);
    // A change after the backup, which the restore takes back.
    const later = ['service', 'create', '-d', '--name', 'later', '--replicas', '0'];
    expect((await c.flt(...later, c.image('web:v1'))).code).toBe(0);
    await c.stopProc(managerOn(1), 'SIGTERM');
    const root = join(c.dir, managerOn(1));
    const rr = await c.flt('cluster', 'restore', file, '--data-root', root);
    expect(rr.code, rr.output).toBe(0);
    c.startManager(managerOn(1), 1, [], 4242);
    await waitFor(
      'the API after the restore',
      async () => !!(await info()),
      180_000,
      async () => c.logTail(managerOn(1)),
    );
    const ls = await c.flt('service', 'ls', '--format', 'json');
    expect(ls.stdout).toContain('"rep"');
    expect(ls.stdout).not.toContain('"later"');
    await c.converged('rep', 3);
  });
});
