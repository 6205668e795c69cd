// Port publishing through real namespaces and iptables: from another machine, from the host on
// 127.0.0.1 and on its own address, from another container and from the container itself.
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NetworkComponent } from '../../../agent/network/index.js';
import { parsePublish, publishAllPorts } from '../../../agent/network/index.js';
import {
  createRemote,
  echo,
  leftovers,
  newManager,
  randomId,
  removeRemote,
  rm,
  sh,
  shOk,
  startEcho,
  stopServers,
  tempDir,
  testNames,
} from './helpers.js';

const n = testNames();
let dir: string;
let net: NetworkComponent;
let remote: { hostAddr: string; addr: string };
let hostAddr: string;
const web = randomId();
const other = randomId();
const ns = (id: string) => `${n.prefix}-${id.slice(0, 12)}`;
const base = 20000 + Math.floor(Math.random() * 5000);

beforeAll(async () => {
  dir = await tempDir();
  net = await newManager(n, dir);
  remote = await createRemote(n);
  // The machine's own address: eth0's if it has one, else the remote link's host end.
  const eth0 = /inet (\d+\.\d+\.\d+\.\d+)/.exec(
    await sh('ip', ['-4', '-o', 'addr', 'show']).then(
      (t) => t.split('\n').find((l) => / eth0 /.test(l)) ?? '',
    ),
  );
  hostAddr = eth0?.[1] ?? remote.hostAddr;
});

afterAll(async () => {
  stopServers();
  await net?.teardown();
  await removeRemote(n);
  await rm(dir, { recursive: true, force: true });
  expect(await leftovers(n, [web, other])).toEqual([]);
});

describe('published ports', () => {
  it('forwards TCP and UDP from another machine, loopback, the host address, a peer and itself', async () => {
    const a = await net.attachments.attach({
      containerId: web,
      mode: 'bridge',
      aliases: [],
      name: 'web1',
      hostname: 'web1',
      ports: [...parsePublish(`${base}:7000`), ...parsePublish(`${base}:7000/udp`)],
    });
    expect(a.netnsPath).toBe(`/run/netns/${ns(web)}`);
    expect(a.ipv4).toMatch(/^10\.242\.\d+\.\d+$/);
    expect(a.ports).toEqual([
      { hostIp: '', hostPort: base, containerPort: 7000, protocol: 'tcp' },
      { hostIp: '', hostPort: base, containerPort: 7000, protocol: 'udp' },
    ]);
    await startEcho(ns(web), 7000);
    const b = await net.attachments.attach({
      containerId: other,
      mode: 'bridge',
      aliases: [],
      name: 'client',
      hostname: 'client',
      ports: [],
    });
    expect(b.ipv4).not.toBe(a.ipv4);

    for (const proto of ['tcp', 'udp'] as const) {
      expect(await echo(n.remoteNs, proto, remote.hostAddr, base, `remote-${proto}`)).toBe(
        `remote-${proto}`,
      );
      expect(await echo(undefined, proto, '127.0.0.1', base, `lo-${proto}`)).toBe(`lo-${proto}`);
      expect(await echo(undefined, proto, hostAddr, base, `host-${proto}`)).toBe(`host-${proto}`);
      expect(await echo(ns(other), proto, hostAddr, base, `peer-${proto}`)).toBe(`peer-${proto}`);
      expect(await echo(ns(web), proto, hostAddr, base, `self-${proto}`)).toBe(`self-${proto}`);
    }
    // Direct access from the host to the container address works; from the remote it is refused.
    expect(await echo(undefined, 'tcp', a.ipv4!, 7000, 'direct')).toBe('direct');
    await sh('ip', ['-n', n.remoteNs, 'route', 'add', n.nodeSubnet, 'via', remote.hostAddr]);
    expect(await echo(n.remoteNs, 'tcp', a.ipv4!, 7000, 'sneak')).toBe('');
    expect(net.attachments.portsOf(web)).toEqual(a.ports);
  });

  it('binds 127.0.0.1-only ports to loopback and does not expose them to the remote', async () => {
    const id = randomId();
    const a = await net.attachments.attach({
      containerId: id,
      mode: 'bridge',
      aliases: [],
      name: 'lo-only',
      hostname: 'x',
      ports: parsePublish(`127.0.0.1:${base + 1}:7000`),
    });
    await startEcho(ns(id), 7000);
    expect(await echo(undefined, 'tcp', '127.0.0.1', base + 1, 'lo')).toBe('lo');
    expect(await echo(n.remoteNs, 'tcp', remote.hostAddr, base + 1, 'far')).toBe('');
    expect(a.ports[0].hostIp).toBe('127.0.0.1');
    await net.attachments.detach(id);
    expect(await echo(undefined, 'tcp', '127.0.0.1', base + 1, 'gone')).toBe('');
    expect(await leftovers(n, [id])).not.toContainEqual(expect.stringContaining(id.slice(0, 12)));
  });

  it('withdraws the port rules of a container about to stop, leaving it reachable directly', async () => {
    const id = randomId();
    const a = await net.attachments.attach({
      containerId: id,
      mode: 'bridge',
      aliases: [],
      name: 'stopping',
      hostname: 'x',
      ports: parsePublish(`${base + 2}:7000`),
    });
    await startEcho(ns(id), 7000);
    expect(await echo(n.remoteNs, 'tcp', remote.hostAddr, base + 2, 'before')).toBe('before');
    await net.attachments.withdrawPorts(id);
    // New connections through the published port are refused; the container itself still runs
    // and answers on its address (it has not been told to stop yet).
    expect(await echo(n.remoteNs, 'tcp', remote.hostAddr, base + 2, 'after')).toBe('');
    expect(await echo(undefined, 'tcp', a.ipv4!, 7000, 'direct')).toBe('direct');
    expect((await sh('iptables-save', [])).includes(`--dport ${base + 2}`)).toBe(false);
    // Withdrawn is remembered: another container's change does not bring the rule back.
    const other2 = randomId();
    await net.attachments.attach({
      containerId: other2,
      mode: 'bridge',
      aliases: [],
      name: 'o',
      hostname: 'o',
      ports: [],
    });
    expect((await sh('iptables-save', [])).includes(`--dport ${base + 2}`)).toBe(false);
    await net.attachments.detach(other2);
    await net.attachments.detach(id);
  });

  it('forgets the flows tracked towards a container when it is detached', async () => {
    const id = randomId();
    const a = await net.attachments.attach({
      containerId: id,
      mode: 'bridge',
      aliases: [],
      name: 'tracked',
      hostname: 'x',
      ports: parsePublish(`${base + 3}:7000/udp`),
    });
    await startEcho(ns(id), 7000);
    expect(await echo(n.remoteNs, 'udp', remote.hostAddr, base + 3, 'flow')).toBe('flow');
    // conntrack -L prints one line per flow on stdout (its summary goes to stderr).
    const flows = async () =>
      (await shOk('conntrack', ['-L', '--reply-src', a.ipv4!])).split('\n').filter(Boolean);
    expect((await flows()).length).toBeGreaterThan(0);
    await net.attachments.detach(id);
    // A client still sending would otherwise keep following the old translation to an address
    // nobody answers at, until the entry timed out.
    expect(await flows()).toEqual([]);
  });

  it('picks random host ports from the ephemeral range for -p CONTAINERPORT and -P', async () => {
    const id = randomId();
    const [lo, hi] = (await sh('cat', ['/proc/sys/net/ipv4/ip_local_port_range']))
      .trim()
      .split(/\s+/)
      .map(Number);
    const a = await net.attachments.attach({
      containerId: id,
      mode: 'bridge',
      aliases: [],
      name: 'rnd',
      hostname: 'rnd',
      ports: [...parsePublish('7000'), ...publishAllPorts(['7000/udp'])],
    });
    await startEcho(ns(id), 7000);
    for (const p of a.ports) {
      expect(p.hostPort).toBeGreaterThanOrEqual(lo);
      expect(p.hostPort).toBeLessThanOrEqual(hi);
      expect(
        await echo(n.remoteNs, p.protocol, remote.hostAddr, p.hostPort, `rnd-${p.protocol}`),
      ).toBe(`rnd-${p.protocol}`);
    }
    await net.attachments.detach(id);
  });

  it('refuses a port held by a host process or another container, naming the holder, and leaves nothing behind', async () => {
    const hostPort = base + 2;
    const srv: Server = createServer();
    await new Promise<void>((r) => srv.listen(hostPort, '127.0.0.1', () => r()));
    const id = randomId();
    try {
      await expect(
        net.attachments.attach({
          containerId: id,
          mode: 'bridge',
          aliases: [],
          name: 'late',
          hostname: 'late',
          ports: parsePublish(`${hostPort}:80`),
        }),
      ).rejects.toMatchObject({
        code: 'PORT_IN_USE',
        message: expect.stringMatching(
          new RegExp(`port ${hostPort} is already in use by a host process`),
        ),
      });
    } finally {
      srv.close();
    }
    await expect(
      net.attachments.attach({
        containerId: id,
        mode: 'bridge',
        aliases: [],
        name: 'late',
        hostname: 'late',
        ports: parsePublish(`127.0.0.1:${base}:80`),
      }),
    ).rejects.toMatchObject({
      code: 'PORT_IN_USE',
      message: expect.stringMatching(
        new RegExp(`port ${base} is already in use by container web1`),
      ),
    });
    // A UDP binding on the same number as a TCP one is no conflict.
    expect(await sh('ip', ['netns', 'list'])).not.toContain(ns(id));
    expect(net.attachments.attachmentFor(id)).toBeUndefined();
  });
});
