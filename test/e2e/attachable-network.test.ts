// Standalone containers on attachable overlays (issue 12): `flotilla run --network NAME` on machine
// 2 attaches a container to a cluster overlay with an address from the manager. From inside it a
// service whose tasks run on machines 1 and 3 resolves (name → VIP, tasks.NAME → tasks) and
// answers through its VIP and by name; a task reaches the container by its address and its name.
// Docker's own client does the same through the engine API (NetworkMode / EndpointsConfig).
// A non-attachable overlay is refused as Docker refuses it (exit 125, nothing created), and
// `rm -f` gives the address back (the network can then be removed). One cluster for the file.
//
// Root only. Names: flw-m1..3 on flw-lan, 10.91.0.0/24.
import { mkdtempSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Cluster, useCluster, waitFor } from './cluster-harness.js';
import { answered, getFn, run } from './harness/index.js';

const isRoot = process.getuid?.() === 0;
const ipv4 = /\b(\d{1,3}(?:\.\d{1,3}){3})\b/g;
// Each case builds on the one before (one cluster): a retry would start mid-story.
describe.runIf(isRoot)('run --network on an attachable overlay', { retry: 0 }, () => {
  const c = new Cluster({ prefix: 'flw', lan: '10.91.0' });
  useCluster(c);

  const inProbe = (script: string) => c.fltOn(2, 'exec', 'probe', 'sh', '-c', script);
  /** The reference Docker client on machine 2's agent (HostConfig.NetworkMode, EndpointsConfig). */
  const docker = (...args: string[]) => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DOCKER_HOST: `unix://${c.sock(2)}`,
      DOCKER_CONFIG: mkdtempSync('/tmp/flt-docker-config-'),
    };
    delete env.DOCKER_CONTEXT;
    delete env.DOCKER_API_VERSION;
    return run('docker', args, { env, timeoutMs: 60_000 });
  };
  const lookup = async (name: string) =>
    answered((await inProbe(`nslookup ${name} 2>&1 || true`)).stdout);
  let probeAddr = '';

  it('attaches a container on machine 2 that reaches a service on the other machines', async () => {
    for (const args of [
      ['network', 'create', '-d', 'overlay', '--attachable', 'att'],
      ['network', 'create', '-d', 'overlay', 'closed'],
      [
        'service',
        'create',
        '-d',
        '--name',
        'web',
        '--replicas',
        '2',
        '--network',
        'att',
        '--constraint',
        'node.hostname!=flw-m2',
        c.image('web:v1'),
      ],
    ]) {
      const r = await c.flt(...args);
      expect(r.code, r.output).toBe(0);
    }
    await c.converged('web', 2);
    expect(await c.spread('web')).toEqual({ 'flw-m1': 1, 'flw-m3': 1 });

    const r = await c.fltOn(
      2,
      'run',
      '-d',
      '--name',
      'probe',
      '--network',
      'att',
      c.image('web:v1'),
    );
    expect(r.code, r.output).toBe(0);
    const inspect = await c.fltOn(2, 'exec', 'probe', 'ip', '-o', '-4', 'addr');
    expect(inspect.code, inspect.output).toBe(0);

    const vip = await waitFor(
      'web to resolve to one address from the attached container',
      async () => {
        const a = await lookup('web');
        return a.length === 1 ? a : undefined;
      },
      30_000,
      async () => (await inProbe('cat /etc/resolv.conf; ip -4 addr; nslookup web 2>&1')).output,
    );
    const tasks = await waitFor('tasks.web to list 2 tasks', async () => {
      const a = await lookup('tasks.web');
      return a.length === 2 ? a : undefined;
    });
    expect(tasks).not.toContain(vip[0]);

    // Through the VIP and by name: both tasks (on machines 1 and 3) answer over the overlay.
    const bodies = (
      await inProbe(`${getFn}for i in 1 2 3 4 5 6 7 8; do get ${vip[0]} 80; get web 80; done`)
    ).stdout
      .trim()
      .split('\n');
    expect(bodies, bodies.join('\n')).toHaveLength(16);
    expect(
      bodies.filter((b) => b === 'FAIL'),
      bodies.join('\n'),
    ).toEqual([]);
    expect(new Set(bodies).size, bodies.join('\n')).toBe(2);
    // Each task directly, by its address.
    for (const a of tasks)
      expect((await inProbe(`${getFn}get ${a} 80`)).stdout.trim()).toMatch(/^web v1 on /);

    // The way back: a task on machine 1 reaches the container by its address and by its name.
    const own = (await inProbe('ip -o -4 addr')).stdout;
    const subnetOf = (ip: string) => ip.split('.').slice(0, 3).join('.');
    probeAddr =
      [...own.matchAll(ipv4)].map((m) => m[1]!).find((ip) => subnetOf(ip) === subnetOf(vip[0]!)) ??
      '';
    expect(probeAddr, own).not.toBe('');
    const [task1] = await c.containersOn(1, 'web');
    // The Docker API path: docker run --network sends NetworkMode and EndpointsConfig naming it.
    const d = await docker('run', '-d', '--name', 'dprobe', '--network', 'att', c.image('web:v1'));
    expect(d.code, d.output).toBe(0);
    const dGet = await waitFor('dprobe to reach web by name', async () => {
      const x = await c.fltOn(2, 'exec', 'dprobe', 'sh', '-c', `${getFn}get web 80`);
      return /^web v1 on /.test(x.stdout.trim()) ? x : undefined;
    });
    expect(dGet.code).toBe(0);

    const back = await c.fltOn(
      1,
      'exec',
      task1!,
      'sh',
      '-c',
      `${getFn}get ${probeAddr} 80; get probe 80`,
    );
    expect(back.stdout.trim().split('\n'), back.output).toEqual([
      expect.stringMatching(/^web v1 on /),
      expect.stringMatching(/^web v1 on /),
    ]);
  });

  it('refuses a network that is not attachable, exit 125, and creates nothing', async () => {
    const before = (await c.fltOn(2, 'ps', '-a', '-q')).stdout;
    const r = await c.fltOn(
      2,
      'run',
      '-d',
      '--name',
      'nope',
      '--network',
      'closed',
      c.image('web:v1'),
    );
    expect(r.code, r.output).toBe(125);
    expect(r.stderr).toContain(
      'Could not attach to network closed: rpc error: code = PermissionDenied desc = network closed not manually attachable',
    );
    expect((await c.fltOn(2, 'ps', '-a', '-q')).stdout).toBe(before);
    expect((await c.fltOn(2, 'ps', '-a', '--filter', 'name=nope', '-q')).stdout.trim()).toBe('');
    // Docker's own client prints the same refusal and exits 125.
    const d = await docker(
      'run',
      '-d',
      '--name',
      'dnope',
      '--network',
      'closed',
      c.image('web:v1'),
    );
    expect(d.code, d.output).toBe(125);
    expect(d.stderr).toContain(
      'Error response from daemon: Could not attach to network closed: rpc error: code = PermissionDenied desc = network closed not manually attachable',
    );
    expect((await c.fltOn(2, 'ps', '-a', '-q')).stdout).toBe(before);
  });

  it('rm -f releases the address: the network can then be removed', async () => {
    const refused = await c.flt('service', 'rm', 'web');
    expect(refused.code, refused.output).toBe(0);
    // The container still holds its address: the network is in use.
    const inUse = await waitFor(
      'network rm to be refused for the container',
      async () => {
        const x = await c.flt('network', 'rm', 'att');
        return x.code !== 0 && /probe/.test(x.output) ? x : undefined;
      },
      30_000,
    );
    expect(inUse.code).toBe(1);
    const rm = await c.fltOn(2, 'rm', '-f', 'probe', 'dprobe');
    expect(rm.code, rm.output).toBe(0);
    await waitFor('network rm of att to succeed', async () => {
      const x = await c.flt('network', 'rm', 'att');
      return x.code === 0 || undefined;
    });
    expect((await c.flt('network', 'inspect', 'att')).code).not.toBe(0);
  });
});
