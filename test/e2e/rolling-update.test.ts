// Rolling updates end to end with real containers: a service with a healthcheck and a host-mode
// published port (one replica per machine) keeps answering while it is updated v1 → v2, an update
// to an image that exits at once rolls back by itself, and `stack rm` leaves nothing behind.
//
// Why requests can fail in stop-first: a host-mode port is a DNAT rule on the machine that runs
// the task, to that task's address. While a machine's only task is stopped and its replacement not
// yet started, nothing listens on that machine's port (connection refused): no other machine can
// answer for a host-mode port (the routing mesh does, for ingress ports). So in stop-first the
// test asserts capacity (never more than `parallelism` machines down at once, and a failure is only
// ever "connection refused", never a broken answer), and in start-first, where a replacement runs
// before its predecessor stops, it asserts full capacity in every round: at least `replicas`
// machines answer in each round. It cannot assert that no request at all fails: the client
// addresses machines, and a machine whose task is retired refuses connections (its port rules are
// withdrawn before the stop signal, agent/network) until a task runs there again. Swarm behaves the
// same for host-mode ports; the routing mesh (ingress ports) is what hides it.
// A hang (curl 28) is always a failure: it meant a stale translation to a removed container (see
// docs/design/network.md, "Stopping").
//
// Root only. Names: flu-m1..3 on flu-lan, 10.97.0.0/24.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { clientLoop, Cluster, useCluster, waitFor, type Probe } from './cluster-harness.js';
import { run } from './harness/index.js';

const isRoot = process.getuid?.() === 0;

/** The versions each machine answered with, in order, without repeats. */
function versionsSeen(rounds: Probe[][], machine: number): string[] {
  const out: string[] = [];
  for (const r of rounds) {
    const p = r.find((x) => x.machine === machine);
    const v = p && p.code === 0 ? /web (v\d)/.exec(p.body)?.[1] : undefined;
    if (v && out[out.length - 1] !== v) out.push(v);
  }
  return out;
}

describe.runIf(isRoot)('rolling updates with real containers', () => {
  // Its own machines (flu, 10.97.0), so it may run beside cluster.test.ts.
  const c = new Cluster({ prefix: 'flu', lan: '10.97.0' });

  useCluster(c);

  const serviceInfo = async (name: string) => {
    const r = await c.flt('service', 'inspect', name);
    const [s] = JSON.parse(r.stdout) as {
      version: number;
      updateStatus?: { state: string; message?: string };
      spec: { taskTemplate: { containerSpec: { image: string } } };
    }[];
    return s;
  };

  const create = async (name: string, port: number, replicas: number, order: string) => {
    // A retried case starts from scratch: drop what its first attempt created.
    if ((await c.flt('service', 'inspect', name)).code === 0) {
      await c.flt('service', 'rm', name);
      await waitFor(
        `${name} removed`,
        async () => (await c.flt('service', 'inspect', name)).code !== 0,
      );
    }
    const r = await c.flt(
      'service',
      'create',
      '-d',
      '--name',
      name,
      '--replicas',
      String(replicas),
      '--max-replicas-per-node',
      '1',
      '--publish',
      `mode=host,target=80,published=${port}`,
      '--health-cmd',
      'wget -q -O /dev/null http://127.0.0.1/',
      // Generous: on a loaded 2-core machine an exec'd check can take seconds, and a false
      // "unhealthy" fails the task and rolls the update back.
      '--health-interval',
      '3s',
      '--health-timeout',
      '15s',
      '--health-retries',
      '5',
      '--health-start-period',
      '5s',
      '--update-parallelism',
      '2',
      '--update-delay',
      '1s',
      '--update-order',
      order,
      '--update-failure-action',
      'rollback',
      '--update-monitor',
      '3s',
      c.image('web:v1'),
    );
    expect(r.code, r.output).toBe(0);
  };

  /** What machine I shows for PORT when it does not answer: curl, its rules, containers, log. */
  const whyNoAnswer = async (i: number, port: number) => {
    const r = await run('curl', ['-sS', '--max-time', '5', `http://${c.addr(i)}:${port}/`]);
    const rules = (await c.flotillaRules(i)).filter((l) => l.includes(String(port)));
    return [
      `curl exit ${r.code}: ${r.output.trim()}`,
      `rules for ${port} on machine ${i}:`,
      ...rules,
      (await c.fltOn(i, 'ps', '-a')).output,
      c.logTail(`agent-m${i}`, 15),
    ].join('\n');
  };

  const updated = async (name: string, image: string, want: number) => {
    await waitFor(
      `${name} update completed`,
      async () => (await serviceInfo(name)).updateStatus?.state === 'completed',
      300_000,
      async () => JSON.stringify((await serviceInfo(name)).updateStatus),
    );
    const tasks = await c.converged(name, want);
    expect(tasks.every((t) => t.spec.containerSpec.image === image)).toBe(true);
  };

  it('updates v1 → v2 in stop-first with parallelism 2, never more than 2 machines down', async () => {
    await create('stopfirst', 8090, 3, 'stop-first');
    await c.converged('stopfirst', 3);
    for (const i of c.machines)
      await waitFor(
        `v1 on machine ${i}`,
        async () => {
          const r = await run('curl', ['-fsS', '--max-time', '5', `http://${c.addr(i)}:8090/`]);
          return /web v1/.test(r.stdout);
        },
        120_000,
        () => whyNoAnswer(i, 8090),
      );
    const loop = clientLoop(c, 8090);
    const v2 = c.image('web:v2');
    const r = await c.flt('service', 'update', '-d', '--image', v2, 'stopfirst');
    expect(r.code, r.output).toBe(0);
    await updated('stopfirst', v2, 3);
    for (const i of c.machines)
      await waitFor(`v2 on machine ${i}`, async () => {
        const r2 = await run('curl', ['-fsS', '--max-time', '5', `http://${c.addr(i)}:8090/`]);
        return /web v2/.test(r2.stdout);
      });
    const rounds = await loop.stop();
    expect(rounds.length).toBeGreaterThan(3);
    for (const round of rounds) {
      // At most `parallelism` (2) of the 3 machines without a running task at any moment.
      expect(
        round.filter((p) => p.code === 0).length,
        JSON.stringify(round),
      ).toBeGreaterThanOrEqual(1);
      // A machine whose task is stopping refuses the connection (curl 7) or cuts a request that
      // was in flight when httpd got SIGTERM (52 empty reply, 56 reset); never a wrong answer
      // and never a hang (28), which would mean a rule left pointing at a gone container.
      for (const p of round)
        if (p.code !== 0) expect([7, 52, 56], JSON.stringify(p)).toContain(p.code);
    }
    for (const i of c.machines) expect(versionsSeen(rounds, i)).toEqual(['v1', 'v2']);
  });

  it('updates in start-first at full capacity: every round, every replica answers', async () => {
    // Two replicas, one per machine, on three machines: a replacement starts on the free machine
    // (its host port is free there) before its predecessor stops.
    await create('startfirst', 8091, 2, 'start-first');
    await c.converged('startfirst', 2);
    await waitFor(
      'two machines answer v1',
      async () => {
        let ok = 0;
        for (const i of c.machines) {
          const r = await run('curl', ['-fsS', '--max-time', '5', `http://${c.addr(i)}:8091/`]);
          if (/web v1/.test(r.stdout)) ok++;
        }
        return ok === 2;
      },
      120_000,
      async () => (await Promise.all(c.machines.map((i) => whyNoAnswer(i, 8091)))).join('\n'),
    );
    const loop = clientLoop(c, 8091);
    const v2 = c.image('web:v2');
    const r = await c.flt('service', 'update', '-d', '--image', v2, 'startfirst');
    expect(r.code, r.output).toBe(0);
    await updated('startfirst', v2, 2);
    const rounds = await loop.stop();
    expect(rounds.length).toBeGreaterThan(3);
    for (const round of rounds) {
      expect(
        round.filter((p) => p.code === 0).length,
        JSON.stringify(round),
      ).toBeGreaterThanOrEqual(2);
      // Failures only on the machine whose old task is retired or that has no task: refused (7)
      // or, for a connection the kernel accepted just as the retired httpd exited, reset (56)
      // or empty (52). See the header: a host-mode port cannot be drained to another machine.
      for (const p of round)
        if (p.code !== 0) expect([7, 52, 56], JSON.stringify(p)).toContain(p.code);
    }
    const all = rounds.flat().filter((p) => p.code === 0);
    expect(all.some((p) => /web v1/.test(p.body))).toBe(true);
    expect(rounds[rounds.length - 1].filter((p) => /web v2/.test(p.body))).toHaveLength(2);
  });

  it('rolls back by itself an update to an image that exits at once', async () => {
    const v2 = c.image('web:v2');
    const r = await c.flt('service', 'update', '-d', '--image', c.image('crash:v1'), 'stopfirst');
    expect(r.code, r.output).toBe(0);
    await waitFor(
      'rollback_completed',
      async () => (await serviceInfo('stopfirst')).updateStatus?.state === 'rollback_completed',
      300_000,
      async () =>
        JSON.stringify((await serviceInfo('stopfirst')).updateStatus) +
        (await c.flt('service', 'ps', 'stopfirst')).output,
    );
    expect((await serviceInfo('stopfirst')).spec.taskTemplate.containerSpec.image).toBe(v2);
    const tasks = await c.converged('stopfirst', 3);
    expect(tasks.every((t) => t.spec.containerSpec.image === v2)).toBe(true);
    for (const i of c.machines)
      await waitFor(`v2 on machine ${i} after the rollback`, async () => {
        const r2 = await run('curl', ['-fsS', '--max-time', '5', `http://${c.addr(i)}:8090/`]);
        return /web v2/.test(r2.stdout);
      });
  });

  it('stack rm leaves no container, rule, address or mount behind', async () => {
    for (const s of ['stopfirst', 'startfirst'])
      expect((await c.flt('service', 'rm', s)).code).toBe(0);
    const file = join(c.dir, 'stack.yml');
    writeFileSync(
      file,
      [
        "version: '3.8'",
        'networks:',
        '  default:',
        '    external: true',
        '    name: bridge',
        'services:',
        '  web:',
        `    image: ${c.image('web:v1')}`,
        '    ports:',
        '      - { target: 80, published: 8092, protocol: tcp, mode: host }',
        '    healthcheck:',
        "      test: ['CMD', 'wget', '-q', '-O', '/dev/null', 'http://127.0.0.1/']",
        '      interval: 3s',
        '      timeout: 15s',
        '      retries: 5',
        '    deploy:',
        '      replicas: 3',
        '      placement: { max_replicas_per_node: 1 }',
        '  side:',
        `    image: ${c.image('web:v1')}`,
        '    deploy: { mode: global }',
        '',
      ].join('\n'),
    );
    const d = await c.flt('stack', 'deploy', '-d', '-c', file, 'st');
    expect(d.code, d.output).toBe(0);
    await c.converged('st_web', 3);
    await c.converged('st_side', 3);
    for (const i of c.machines)
      await waitFor(
        `st_web on machine ${i}`,
        async () => {
          const r = await run('curl', ['-fsS', '--max-time', '5', `http://${c.addr(i)}:8092/`]);
          return /web v1/.test(r.stdout);
        },
        120_000,
        () => whyNoAnswer(i, 8092),
      );
    // With containers up, the rules and namespaces exist (so their absence later means something).
    expect((await c.flotillaRules(1)).some((l) => l.includes('8092'))).toBe(true);
    expect((await c.containerNetns()).length).toBeGreaterThanOrEqual(6);

    const rm = await c.flt('stack', 'rm', 'st');
    expect(rm.code, rm.output).toBe(0);
    await waitFor(
      'no containers on any machine',
      async () => {
        for (const i of c.machines) {
          const ps = await c.fltOn(i, 'ps', '-a', '-q');
          if (ps.code !== 0 || ps.stdout.trim() !== '') return false;
        }
        return true;
      },
      180_000,
      async () => (await c.fltOn(1, 'ps', '-a')).output,
    );
    const ls = await c.flt('service', 'ls', '--format', 'json');
    expect(ls.stdout.trim()).toBe('');
    await waitFor(
      'container namespaces removed',
      async () => (await c.containerNetns()).length === 0,
      60_000,
    );
    for (const i of c.machines) {
      const rules = await c.flotillaRules(i);
      // No port-publishing rule may remain. (The machine's bridge rules, masquerading and routes
      // to the other nodes' subnets, belong to the running agent and stay.)
      expect(
        rules.filter((l) => /8090|8091|8092|-j DNAT|--to-destination/.test(l)),
        `machine ${i}`,
      ).toEqual([]);
      // No container veth left on the machine.
      const links = await run('ip', ['-n', c.ns(i), '-o', 'link', 'show']);
      expect(
        links.stdout.split('\n').filter((l) => /veth/.test(l)),
        `machine ${i}`,
      ).toEqual([]);
    }
    // No container root filesystem (overlay) or other container mount left.
    expect((await c.mounts()).filter((m) => /containers|rootfs|overlay|merged/.test(m))).toEqual(
      [],
    );
  });
});
