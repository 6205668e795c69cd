// Service discovery on an overlay, with real namespaces, iptables and resolvers: two plain Linux
// bridges stand in for two overlay networks (VXLAN is the data plane's part, not this layer's).
// Containers' own glibc resolver (getent, through /etc/netns/<ns>/resolv.conf) asks the agent's DNS
// on the gateway; connections to a VIP are spread by the rules in the client's namespace, follow
// the serving set, and are refused when nothing serves.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../shared/log/index.js';
import { MemoryOverlayState, ServiceDiscovery } from '../../../agent/network/index.js';
import { buildReply, parseQuestion } from '../../../agent/network/dns/packet.js';
import { sh, shOk } from './helpers.js';

const hex = randomBytes(2).toString('hex').slice(0, 3);
const r = randomBytes(1)[0];
const net1 = { id: 'n1', bridge: `d${hex}ov1`, subnet: `10.247.${r}.0/24`, gw: `10.247.${r}.1` };
const net2 = { id: 'n2', bridge: `d${hex}ov2`, subnet: `10.248.${r}.0/24`, gw: `10.248.${r}.1` };
const at = (net: typeof net1, host: number) => net.gw.replace(/\.1$/, `.${host}`);
const VIP = at(net1, 3);
const PORT = 18080;

/** Namespaces standing in for containers: name → network and address. */
const ctrs = {
  front: { net: net1, addr: at(net1, 10) },
  b1: { net: net1, addr: at(net1, 21) },
  b2: { net: net1, addr: at(net1, 22) },
  stranger: { net: net1, addr: at(net1, 99) }, // on the bridge, but no container of the view
  lonely: { net: net2, addr: at(net2, 10) },
};
const nsName = (c: string) => `d${hex}-${c}`;

const overlay = new MemoryOverlayState();
let discovery: ServiceDiscovery;
let upstream: Socket;
const procs: ChildProcess[] = [];

const ep = (address: string, serviceId: string, name: string, serving = true) => ({
  address,
  nodeId: 'node-a',
  taskId: name,
  serviceId,
  names: [name],
  serving,
});

async function getent(ns: string, name: string): Promise<string[] | 'not found'> {
  return new Promise((resolve) => {
    execFile(
      'ip',
      ['netns', 'exec', nsName(ns), 'getent', 'ahostsv4', name],
      { timeout: 10_000 },
      (err, stdout) => {
        if (err) return resolve('not found');
        resolve(
          [...new Set(stdout.split('\n').map((l) => l.split(/\s+/)[0]))].filter(Boolean).sort(),
        );
      },
    );
  });
}

/** `count` TCP connections from `ns` to addr:PORT, one after the other: each reply or error code. */
async function connectMany(ns: string, addr: string, count: number): Promise<string[]> {
  const script = `
    const net = require('node:net');
    (async () => {
      const out = [];
      for (let i = 0; i < ${count}; i++)
        out.push(await new Promise((res) => {
          const s = net.connect(${PORT}, '${addr}');
          let got = '';
          s.setTimeout(3000, () => { s.destroy(); res('timeout'); });
          s.on('data', (d) => (got += d));
          s.on('end', () => res(got));
          s.on('error', (e) => res(e.code));
        }));
      console.log(JSON.stringify(out));
    })();`;
  const out = await sh('ip', ['netns', 'exec', nsName(ns), process.execPath, '-e', script]);
  return JSON.parse(out) as string[];
}

beforeAll(async () => {
  for (const n of [net1, net2]) {
    await sh('ip', ['link', 'add', n.bridge, 'type', 'bridge']);
    await sh('ip', ['addr', 'add', `${n.gw}/24`, 'dev', n.bridge]);
    await sh('ip', ['link', 'set', n.bridge, 'up']);
  }
  for (const [name, c] of Object.entries(ctrs)) {
    const ns = nsName(name);
    await sh('ip', ['netns', 'add', ns]);
    await sh('ip', [
      'link',
      'add',
      `d${hex}v${name.slice(0, 6)}`,
      'type',
      'veth',
      'peer',
      'name',
      'eth1',
      'netns',
      ns,
    ]);
    await sh('ip', ['link', 'set', `d${hex}v${name.slice(0, 6)}`, 'master', c.net.bridge, 'up']);
    await sh('ip', ['-n', ns, 'addr', 'add', `${c.addr}/24`, 'dev', 'eth1']);
    await sh('ip', ['-n', ns, 'link', 'set', 'eth1', 'up']);
    await sh('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    // What the runtime writes from attachment.dns: the first overlay's gateway.
    await mkdir(`/etc/netns/${ns}`, { recursive: true });
    await writeFile(
      `/etc/netns/${ns}/resolv.conf`,
      `nameserver ${c.net.gw}\noptions timeout:2 attempts:1\n`,
    );
  }
  for (const b of ['b1', 'b2']) {
    const p = spawn(
      'ip',
      [
        'netns',
        'exec',
        nsName(b),
        process.execPath,
        '-e',
        `require('node:net').createServer((s) => s.end('${b}')).listen(${PORT}, () => console.log('up'))`,
      ],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    procs.push(p);
    await new Promise<void>((res) => p.stdout!.once('data', () => res()));
  }
  // The host's resolver, for names that are no cluster name.
  upstream = createSocket('udp4');
  await new Promise<void>((res) => upstream.bind(0, '127.0.0.1', () => res()));
  upstream.on('message', (m, rinfo) =>
    upstream.send(buildReply(m, parseQuestion(m)!, ['192.0.2.9']), rinfo.port, rinfo.address),
  );

  overlay.applyNetworks([
    {
      networkId: net1.id,
      name: 's_front',
      subnet: net1.subnet,
      gateway: net1.gw,
      endpoints: [
        ep(ctrs.front.addr, 'svc-front', 's_front.1.f1'),
        ep(ctrs.b1.addr, 'svc-back', 's_back.1.b1'),
        ep(ctrs.b2.addr, 'svc-back', 's_back.2.b2'),
        ep(at(net1, 31), 'svc-rr', 's_rr.1.r1'),
        ep(at(net1, 32), 'svc-rr', 's_rr.2.r2'),
        ...Array.from({ length: 40 }, (_, i) => ep(at(net1, 100 + i), 'svc-big', `s_big.${i}.x`)),
      ],
      services: [
        {
          serviceId: 'svc-front',
          name: 's_front',
          aliases: ['front'],
          endpointMode: 'vip',
          vip: at(net1, 2),
        },
        {
          serviceId: 'svc-back',
          name: 's_back',
          aliases: ['back', 'backend'],
          endpointMode: 'vip',
          vip: VIP,
        },
        { serviceId: 'svc-rr', name: 's_rr', aliases: ['rr'], endpointMode: 'dnsrr' },
        { serviceId: 'svc-big', name: 's_big', aliases: ['big'], endpointMode: 'dnsrr' },
      ],
    },
    {
      networkId: net2.id,
      name: 's_other',
      subnet: net2.subnet,
      gateway: net2.gw,
      endpoints: [ep(ctrs.lonely.addr, 'svc-lonely', 's_lonely.1.l1')],
      services: [
        {
          serviceId: 'svc-lonely',
          name: 's_lonely',
          aliases: ['lonely'],
          endpointMode: 'vip',
          vip: at(net2, 2),
        },
      ],
    },
  ]);
  for (const name of ['front', 'b1', 'b2', 'lonely'] as const)
    overlay.setContainer({
      containerId: name,
      netnsPath: `/run/netns/${nsName(name)}`,
      interfaces: [{ networkId: ctrs[name].net.id, address: ctrs[name].addr }],
    });
  discovery = new ServiceDiscovery({
    overlay,
    upstreams: () => [`127.0.0.1:${upstream.address().port}`],
    log: silentLogger(),
  });
  await discovery.start();
});

afterAll(async () => {
  await discovery?.stop();
  upstream?.close();
  for (const p of procs) if (p.pid) process.kill(p.pid, 'SIGKILL');
  for (const name of Object.keys(ctrs)) {
    await shOk('ip', ['netns', 'del', nsName(name)]);
    await rm(`/etc/netns/${nsName(name)}`, { recursive: true, force: true });
  }
  for (const n of [net1, net2]) await shOk('ip', ['link', 'del', n.bridge]);
});

describe('overlay DNS, asked by a container resolver', () => {
  it('answers a service, its stack name and its alias with the VIP', async () => {
    for (const name of ['back', 's_back', 'backend'])
      expect(await getent('front', name)).toEqual([VIP]);
  });

  it('answers tasks.NAME and a dnsrr service with the serving task addresses', async () => {
    expect(await getent('front', 'tasks.back')).toEqual([ctrs.b1.addr, ctrs.b2.addr]);
    expect(await getent('front', 'rr')).toEqual([at(net1, 31), at(net1, 32)]);
    expect(await getent('front', 's_back.2.b2')).toEqual([ctrs.b2.addr]);
  });

  it('gives all 40 tasks of a big service through the resolver retrying over TCP', async () => {
    const got = await getent('front', 'tasks.big');
    expect(got).toHaveLength(40);
  });

  it('does not resolve a service on a network the caller is not on', async () => {
    expect(await getent('front', 'lonely')).toBe('not found');
    expect(await getent('lonely', 'back')).toBe('not found');
    expect(await getent('lonely', 'lonely')).toEqual([at(net2, 2)]);
  });

  it('forwards other names to the host resolvers, and refuses unknown callers', async () => {
    expect(await getent('front', 'example.org')).toEqual(['192.0.2.9']);
    expect(await getent('stranger', 'back')).toBe('not found');
  });
});

describe('VIP rules in the client namespace', () => {
  it('spreads connections to VIP:PORT over the serving tasks', async () => {
    const got = await connectMany('front', VIP, 20);
    expect(new Set(got)).toEqual(new Set(['b1', 'b2']));
  });

  it('stops sending new connections to a task once it stops serving, and DNS follows', async () => {
    overlay.applyChanges([
      { networkId: net1.id, upsertEndpoints: [ep(ctrs.b2.addr, 'svc-back', 's_back.2.b2', false)] },
    ]);
    await discovery.settled();
    expect(new Set(await connectMany('front', VIP, 20))).toEqual(new Set(['b1']));
    expect(await getent('front', 'tasks.back')).toEqual([ctrs.b1.addr]);
  });

  it('refuses connections to a VIP with nothing serving instead of hanging', async () => {
    overlay.applyChanges([
      { networkId: net1.id, upsertEndpoints: [ep(ctrs.b1.addr, 'svc-back', 's_back.1.b1', false)] },
    ]);
    await discovery.settled();
    expect(await connectMany('front', VIP, 3)).toEqual([
      'ECONNREFUSED',
      'ECONNREFUSED',
      'ECONNREFUSED',
    ]);
    overlay.applyChanges([
      { networkId: net1.id, upsertEndpoints: [ep(ctrs.b1.addr, 'svc-back', 's_back.1.b1', true)] },
    ]);
    await discovery.settled();
    expect(await connectMany('front', VIP, 3)).toEqual(['b1', 'b1', 'b1']);
  });

  it('forgets a container whose namespace went, and keeps serving the others', async () => {
    await sh('ip', ['netns', 'del', nsName('lonely')]);
    overlay.removeContainer('lonely');
    overlay.applyChanges([
      {
        networkId: net2.id,
        upsertEndpoints: [ep(ctrs.lonely.addr, 'svc-lonely', 's_lonely.1.l1', false)],
      },
    ]);
    await discovery.settled();
    expect(await connectMany('front', VIP, 2)).toEqual(['b1', 'b1']);
  });
});
