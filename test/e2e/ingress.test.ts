// The routing mesh end to end with real containers: a service with an ingress published port
// answers on every machine of the cluster (also one that runs none of its tasks), spreads
// connections across its tasks wherever they run (also from 127.0.0.1 of each machine), loses no
// request while it is updated (the manager takes a task out of every node's rules before its
// agent, after the drain delay, stops it), refuses at once when it has no task, and leaves no rule
// behind when removed.
//
// Root only. Names: fli-m1..3 on fli-lan, 10.96.0.0/24.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { clientLoop, Cluster, useCluster, waitFor, type Probe } from './cluster-harness.js';
import { run, runInNetns } from './harness/index.js';

const isRoot = process.getuid?.() === 0;
const PORT = 8095;

describe.runIf(isRoot)('routing mesh: ingress published ports', () => {
  // Its own machines (fli, 10.96.0), so it may run beside the other e2e files.
  const c = new Cluster({ prefix: 'fli', lan: '10.96.0' });

  useCluster(c);

  const get = (i: number, port = PORT) =>
    run('curl', ['-sS', '--fail', '--max-time', '10', `http://${c.addr(i)}:${port}/`]);

  /** What machine I shows for PORT when it does not answer: curl, its rules, its agent's log. */
  const whyNoAnswer = async (i: number, port = PORT) => {
    const r = await get(i, port);
    return [
      `curl exit ${r.code}: ${r.output.trim()}`,
      ...(await c.flotillaRules(i)).filter((l) => /ingress|ING/.test(l)),
      c.logTail(`agent-m${i}`, 15),
    ].join('\n');
  };

  const everyMachineAnswers = async (version: string) => {
    for (const i of c.machines)
      await waitFor(
        `web ${version} on machine ${i}`,
        async () => new RegExp(`web ${version}`).test((await get(i)).stdout),
        120_000,
        () => whyNoAnswer(i),
      );
  };

  const serviceInfo = async (name: string) => {
    const r = await c.flt('service', 'inspect', name);
    expect(r.code, r.output).toBe(0);
    const [s] = JSON.parse(r.stdout) as {
      updateStatus?: { state: string };
      endpoint?: { ports: { target: number; published?: number; mode: string }[] };
    }[];
    return s!;
  };

  const updatedTo = async (name: string, image: string) => {
    await waitFor(
      `${name} update completed`,
      async () => (await serviceInfo(name)).updateStatus?.state === 'completed',
      300_000,
      async () => (await c.flt('service', 'ps', name)).output,
    );
    const tasks = await c.converged(name, 2);
    expect(tasks.every((t) => t.spec.containerSpec.image === image)).toBe(true);
  };

  /** Every request of every round answered, with v<from> first and v<to> last on every machine. */
  const expectNoLoss = (rounds: Probe[][], from: string, to: string) => {
    expect(rounds.length).toBeGreaterThan(3);
    for (const round of rounds)
      for (const p of round) {
        expect(p.code, JSON.stringify(p)).toBe(0);
        expect(p.body).toMatch(/^web v[12] on /);
      }
    for (const i of c.machines) {
      const seen = rounds.map((r) => r.find((p) => p.machine === i)!.body);
      expect(seen[0], `machine ${i}`).toMatch(new RegExp(`^web ${from} `));
      expect(seen[seen.length - 1], `machine ${i}`).toMatch(new RegExp(`^web ${to} `));
    }
  };

  it('answers on every machine, the one without a task too, balanced across the tasks', async () => {
    // A retried case starts from scratch: drop what its first attempt created.
    if ((await c.flt('service', 'inspect', 'mesh')).code === 0) {
      await c.flt('service', 'rm', 'mesh');
      await waitFor(
        'mesh removed',
        async () => (await c.flt('service', 'inspect', 'mesh')).code !== 0,
      );
    }
    const r = await c.flt(
      'service',
      'create',
      '-d',
      '--name',
      'mesh',
      '--replicas',
      '2',
      '--max-replicas-per-node',
      '1',
      '--publish',
      `published=${PORT},target=80`,
      // A new task gets traffic only once healthy: httpd has bound its port by then.
      '--health-cmd',
      'wget -q -O /dev/null http://127.0.0.1/',
      '--health-interval',
      '2s',
      '--health-timeout',
      '15s',
      '--health-retries',
      '5',
      '--update-parallelism',
      '1',
      '--update-order',
      'start-first',
      c.image('web:v1'),
    );
    expect(r.code, r.output).toBe(0);
    const tasks = await c.converged('mesh', 2);
    expect((await serviceInfo('mesh')).endpoint?.ports).toEqual([
      { target: 80, published: PORT, protocol: 'tcp', mode: 'ingress' },
    ]);
    await everyMachineAnswers('v1');

    const nodesWithTask = new Set(tasks.map((t) => t.nodeId));
    const ids = await Promise.all(c.machines.map((i) => c.nodeIdOf(i)));
    const idle = c.machines.find((i) => !nodesWithTask.has(ids[i - 1]));
    expect(idle, 'one machine runs no task').toBeDefined();

    // From outside (PREROUTING) and from the idle machine itself (OUTPUT): both tasks answer.
    const hosts = new Set<string>();
    const local = new Set<string>();
    await waitFor(
      'both tasks answer through the idle machine',
      async () => {
        const a = await get(idle!);
        if (a.code === 0) hosts.add(a.stdout.trim());
        const b = await runInNetns(c.ns(idle!), 'curl', [
          '-sS',
          '--fail',
          '--max-time',
          '10',
          `http://${c.addr(idle!)}:${PORT}/`,
        ]);
        if (b.code === 0) local.add(b.stdout.trim());
        return hosts.size === 2 && local.size === 2;
      },
      60_000,
      async () => JSON.stringify({ hosts: [...hosts], local: [...local] }),
    );

    // 127.0.0.1 on every machine reaches the tasks on every machine: the idle machine's loopback
    // clients too (masqueraded to its address on the way out), and both tasks from each machine.
    for (const i of c.machines) {
      const seen = new Set<string>();
      await waitFor(
        `127.0.0.1:${PORT} on machine ${i} reaches both tasks`,
        async () => {
          const r = await runInNetns(c.ns(i), 'curl', [
            '-sS',
            '--fail',
            '--max-time',
            '10',
            `http://127.0.0.1:${PORT}/`,
          ]);
          expect(r.stdout, `machine ${i}: ${r.output}`).toMatch(/^web v1 on /);
          seen.add(r.stdout.trim());
          return seen.size === 2;
        },
        60_000,
        async () => JSON.stringify([...seen]),
      );
    }
  });

  it('assigns a port from 30000-32767 when none is given and refuses a taken one by name', async () => {
    const a = await c.flt(
      'service',
      'create',
      '-d',
      '--name',
      'auto',
      '--publish',
      'target=80',
      c.image('web:v1'),
    );
    expect(a.code, a.output).toBe(0);
    const published = (await serviceInfo('auto')).endpoint?.ports[0]?.published ?? 0;
    expect(published).toBeGreaterThanOrEqual(30000);
    expect(published).toBeLessThanOrEqual(32767);

    const clash = await c.flt(
      'service',
      'create',
      '-d',
      '--name',
      'clash',
      '-p',
      `${PORT}:80`,
      c.image('web:v1'),
    );
    expect(clash.code).not.toBe(0);
    expect(clash.output).toMatch(new RegExp(`port ${PORT}/tcp.*service mesh`));
    expect(clash.output).not.toMatch(/at .*\.js:\d+/);
    expect((await c.flt('service', 'rm', 'auto')).code).toBe(0);
  });

  it('loses no request in a start-first rolling update v1 → v2', async () => {
    const loop = clientLoop(c, PORT, 100);
    const v2 = c.image('web:v2');
    const r = await c.flt('service', 'update', '-d', '--image', v2, 'mesh');
    expect(r.code, r.output).toBe(0);
    await updatedTo('mesh', v2);
    await everyMachineAnswers('v2');
    expectNoLoss(await loop.stop(), 'v1', 'v2');
  });

  it('loses no request in a stop-first rolling update v2 → v1 (the other replica serves)', async () => {
    const loop = clientLoop(c, PORT, 100);
    const v1 = c.image('web:v1');
    const r = await c.flt(
      'service',
      'update',
      '-d',
      '--update-order',
      'stop-first',
      '--image',
      v1,
      'mesh',
    );
    expect(r.code, r.output).toBe(0);
    await updatedTo('mesh', v1);
    await everyMachineAnswers('v1');
    expectNoLoss(await loop.stop(), 'v2', 'v1');
  });

  it('refuses connections at once on every machine while the service has no task', async () => {
    expect((await c.flt('service', 'scale', '-d', 'mesh=0')).code).toBe(0);
    for (const i of c.machines)
      await waitFor(
        `machine ${i} refuses`,
        async () => (await get(i)).code === 7, // curl: connection refused, not 28 (timeout)
        120_000,
        () => whyNoAnswer(i),
      );
  });

  it('removing the service removes its rules on every machine', async () => {
    // With the service present, every machine has its rules (so their absence means something).
    for (const i of c.machines)
      expect((await c.flotillaRules(i)).some((l) => l.includes(`ingress:mesh:${PORT}`))).toBe(true);
    expect((await c.flt('service', 'rm', 'mesh')).code).toBe(0);
    for (const i of c.machines)
      await waitFor(
        `no ingress rule on machine ${i}`,
        async () => (await c.flotillaRules(i)).filter((l) => /ingress|-ING-/.test(l)).length === 0,
        60_000,
        async () => (await c.flotillaRules(i)).join('\n'),
      );
  });

  it('serves a stack service on its own node-local network from every machine', async () => {
    // Stack-file ports are ingress by default; the stack's default network is a bridge on each
    // node, so the tasks also get an address on the routed default bridge (as Swarm's ingress
    // network) and the mesh forwards there.
    const file = join(c.dir, 'mesh-stack.yml');
    writeFileSync(
      file,
      [
        "version: '3.8'",
        'services:',
        '  web:',
        `    image: ${c.image('web:v1')}`,
        '    ports:',
        '      - "8097:80"',
        '    deploy:',
        '      replicas: 2',
        '      placement: { max_replicas_per_node: 1 }',
        '',
      ].join('\n'),
    );
    const d = await c.flt('stack', 'deploy', '-d', '-c', file, 'ms');
    expect(d.code, d.output).toBe(0);
    await c.converged('ms_web', 2);
    for (const i of c.machines)
      await waitFor(
        `ms_web on machine ${i}`,
        async () => /web v1/.test((await get(i, 8097)).stdout),
        120_000,
        () => whyNoAnswer(i, 8097),
      );
    expect((await c.flt('stack', 'rm', 'ms')).code).toBe(0);
    for (const i of c.machines)
      await waitFor(
        `no rule for 8097 on machine ${i}`,
        async () => (await c.flotillaRules(i)).filter((l) => l.includes('8097')).length === 0,
        120_000,
        async () => (await c.flotillaRules(i)).join('\n'),
      );
  });
});
