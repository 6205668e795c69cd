// DRAFT (not run: the name does not end in .test.ts). The issue 12 proof on three machines, written
// before the overlay parts were merged; its one run was interrupted. Rename to
// test/e2e/service-networking.test.ts once it passes.
// Service networking end to end (issue 12): a stack whose services reach each other by name across
// three machines over overlay (VXLAN) networks. From inside `front` (machine 1): `back` and
// `sn_back` resolve to one VIP, `tasks.back` to its three task addresses, the alias `backend`
// resolves, requests through the VIP reach tasks on other machines; `rr` (dnsrr) resolves to its
// tasks; `lonely`, on another network, neither resolves nor answers. DNS follows a scale, a
// start-first rolling update through the VIP loses no request, and `stack rm` leaves nothing.
//
// Root only. Names: fln-m1..3 on fln-lan, 10.95.0.0/24.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Cluster, useCluster, waitFor } from '../cluster-harness.js';
import { runInNetns } from '../harness/index.js';

const isRoot = process.getuid?.() === 0;
const ipv4 = /\b(\d{1,3}(?:\.\d{1,3}){3})\b/g;

describe.runIf(isRoot)('service networking: overlay networks, DNS, VIPs', () => {
  const c = new Cluster({ prefix: 'fln', lan: '10.95.0' });
  useCluster(c);

  let frontId = '';

  /** Runs a shell command inside the `front` task's container on machine 1. */
  const inFront = (script: string) => c.fltOn(1, 'exec', frontId, 'sh', '-c', script);

  /** The IPv4 addresses busybox nslookup printed for NAME (none when it did not resolve). */
  const lookup = async (name: string): Promise<string[]> => {
    const r = await inFront(`nslookup ${name} 2>&1 || true`);
    const answer = r.stdout
      .split(/^Name:/m)
      .slice(1)
      .join('\n');
    return [...answer.matchAll(ipv4)].map((m) => m[1]!).sort();
  };

  const fetchVia = async (host: string) =>
    (await inFront(`wget -qO- -T 3 http://${host}/ 2>&1`)).stdout.trim();

  const stackFile = (image: string) => {
    const file = join(c.dir, 'sn-stack.yml');
    writeFileSync(
      file,
      [
        "version: '3.8'",
        'services:',
        '  front:',
        `    image: ${c.image('web:v1')}`,
        '    ports: ["8096:80"]',
        '    networks: [appnet]',
        '    deploy:',
        '      placement: { constraints: ["node.hostname == fln-m1"] }',
        '  back:',
        `    image: ${c.image(image)}`,
        '    networks:',
        '      appnet:',
        '        aliases: [backend]',
        '    deploy:',
        '      replicas: 3',
        '      placement: { max_replicas_per_node: 1 }',
        '      update_config: { order: start-first, parallelism: 1, delay: 1s }',
        '  rr:',
        `    image: ${c.image('web:v1')}`,
        '    networks: [appnet]',
        '    deploy: { endpoint_mode: dnsrr, replicas: 2 }',
        '  lonely:',
        `    image: ${c.image('web:v1')}`,
        '    networks: [other]',
        'networks:',
        '  appnet: { driver: overlay }',
        '  other: { driver: overlay }',
        '',
      ].join('\n'),
    );
    return file;
  };

  it('deploys a stack whose services find each other by name across machines', async () => {
    const d = await c.flt('stack', 'deploy', '-d', '-c', stackFile('web:v1'), 'sn');
    expect(d.code, d.output).toBe(0);
    await c.converged('sn_back', 3);
    await c.converged('sn_rr', 2);
    await c.converged('sn_lonely', 1);
    await c.converged('sn_front', 1);
    [frontId] = await c.containersOn(1, 'sn_front');
    expect(frontId).toBeTruthy();

    const vip = await waitFor('back to resolve', async () => {
      const a = await lookup('back');
      return a.length === 1 ? a : undefined;
    });
    expect(await lookup('sn_back')).toEqual(vip);
    expect(await lookup('backend')).toEqual(vip);
    const taskAddrs = await waitFor('tasks.back to list 3 tasks', async () => {
      const a = await lookup('tasks.back');
      return a.length === 3 ? a : undefined;
    });
    expect(taskAddrs).not.toContain(vip[0]);

    // 15 requests through the VIP: all answered, by at least two tasks that run elsewhere.
    const remote = new Set<string>();
    for (const i of [2, 3]) for (const n of await c.containersOn(i, 'sn_back')) remote.add(n);
    const bodies: string[] = [];
    for (let k = 0; k < 15; k++) bodies.push(await fetchVia('back'));
    for (const b of bodies) expect(b).toMatch(/^web v1 on /);
    const hosts = new Set(bodies.map((b) => b.replace(/^web v1 on /, '')));
    expect(hosts.size).toBeGreaterThanOrEqual(2);
    const remoteHosts = [...hosts].filter((h) =>
      [...remote].some((n) => n.includes(h) || h.includes(n.split('.').pop()!.slice(0, 12))),
    );
    expect(remoteHosts.length, `${[...hosts]} vs ${[...remote]}`).toBeGreaterThanOrEqual(1);

    // dnsrr: the name gives the task addresses themselves, and they answer.
    const rr = await waitFor('rr to resolve to 2 tasks', async () => {
      const a = await lookup('rr');
      return a.length === 2 ? a : undefined;
    });
    expect(await fetchVia('rr')).toMatch(/^web v1 on /);
    expect(rr).toEqual(await lookup('tasks.rr'));

    // Another network: neither the name nor the address is reachable from front.
    expect(await lookup('lonely')).toEqual([]);
    expect(await lookup('sn_lonely')).toEqual([]);
    const lonelyTasks = await c.running('sn_lonely');
    const lonelyAddr = (lonelyTasks[0] as unknown as { networks?: { address: string }[] })
      .networks?.[0]?.address;
    expect(lonelyAddr).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(await fetchVia(lonelyAddr!)).not.toMatch(/^web v1/);
  });

  it('follows a scale in DNS and in the VIP', async () => {
    const s = await c.flt('service', 'scale', 'sn_back=1');
    expect(s.code, s.output).toBe(0);
    const started = Date.now();
    await waitFor(
      'tasks.back to list 1 task',
      async () => (await lookup('tasks.back')).length === 1,
    );
    console.log(JSON.stringify({ dnsFollowsScaleMs: Date.now() - started }));
    for (let k = 0; k < 5; k++) expect(await fetchVia('back')).toMatch(/^web v1 on /);
    expect((await c.flt('service', 'scale', 'sn_back=3')).code).toBe(0);
    await c.converged('sn_back', 3);
    await waitFor(
      'tasks.back to list 3 tasks',
      async () => (await lookup('tasks.back')).length === 3,
    );
  });

  it('loses no request through the VIP during a start-first rolling update', async () => {
    const d = await c.flt('stack', 'deploy', '-d', '-c', stackFile('web:v2'), 'sn');
    expect(d.code, d.output).toBe(0);
    const seen: string[] = [];
    const deadline = Date.now() + 240_000;
    for (;;) {
      const r = await inFront('wget -qO- -T 5 http://back/ 2>&1');
      seen.push(r.stdout.trim());
      const tasks = await c.running('sn_back');
      if (
        tasks.length === 3 &&
        tasks.every((t) => t.spec.containerSpec.image.endsWith('web:v2')) &&
        seen[seen.length - 1]!.startsWith('web v2')
      )
        break;
      if (Date.now() > deadline) throw new Error(`update did not finish: ${seen.slice(-5)}`);
    }
    expect(seen.length).toBeGreaterThan(3);
    for (const b of seen) expect(b).toMatch(/^web v[12] on /);
  });

  it('stack rm leaves no network, vxlan device, rule or namespace on any machine', async () => {
    expect((await c.flt('stack', 'rm', 'sn')).code).toBe(0);
    await waitFor('networks gone', async () => {
      const r = await c.flt('network', 'ls', '--format', '{{.Name}}');
      return r.code === 0 && !/sn_/.test(r.stdout);
    });
    for (const i of c.machines)
      await waitFor(
        `no vxlan device on machine ${i}`,
        async () =>
          (
            await runInNetns(c.ns(i), 'ip', ['-d', 'link', 'show', 'type', 'vxlan'])
          ).stdout.trim() === '',
        60_000,
      );
    await waitFor('no container namespace', async () => (await c.containerNetns()).length === 0);
  });
});
