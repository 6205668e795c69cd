// Overlay networks through the agent's network component, as the runtime and the session drive
// it: a task container gets eth0 on the node bridge and eth1 on its overlay with the manager's
// address; it reaches a container on another machine (a namespace running the overlay fabric);
// no route leads from one overlay to another through the node; an internal-only task has no way
// out; the attachment survives an agent restart; leftovers of a removed network are deleted; and
// detach, teardown and `agent cleanup` leave nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NetworkComponent, removeNetworkLeftovers } from '../../../agent/network/index.js';
import { silentLogger } from '../../../shared/log/index.js';
import {
  createRemote,
  echo,
  leftovers,
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
import {
  attachment,
  describe as describeNet,
  Machine,
  type Container,
  type TestNet,
} from './overlay-machines.js';

const n = testNames();
const o = n.remoteSubnetOctet;
let dir: string;
let net: NetworkComponent;
let remote: Machine;
let hostAddr: string;
const ids = { x: randomId(), z: randomId(), w: randomId() };

const overlay = (i: number, extra: Partial<TestNet> = {}): TestNet => ({
  networkId: `${n.prefix}net${i}`.padEnd(25, '0'),
  name: `${n.prefix}_net${i}`,
  vni: 8000 + o * 4 + i,
  subnet: `10.96.${(o * 3 + i) % 250}.0/24`,
  gateway: `10.96.${(o * 3 + i) % 250}.1`,
  internal: false,
  encrypted: false,
  keys: [],
  ...extra,
});
const front = overlay(0);
const back = overlay(1);
const closed = overlay(2, { internal: true });
const addr = (t: TestNet, host: number) => t.subnet.replace(/0\/24$/, String(host));

function component(): NetworkComponent {
  return new NetworkComponent({
    dataRoot: dir,
    nodeSubnet: n.nodeSubnet,
    bridgeName: n.bridge,
    namePrefix: n.prefix,
    chainPrefix: n.chainPrefix,
    userSubnetPool: n.userPool,
    enableIpForward: false,
    underlayAddr: hostAddr,
    log: silentLogger(),
  });
}

/** The container as the remote machine's view of it: an endpoint on this node. */
const local = (id: string, address: string): Container => ({
  id,
  netns: `${n.prefix}-${id.slice(0, 12)}`,
  address,
  machine: { ns: 'here', addr: hostAddr } as Machine,
});

beforeAll(async () => {
  dir = await tempDir();
  const r = await createRemote(n);
  hostAddr = r.hostAddr;
  remote = new Machine(n.remoteNs, r.addr, `r${n.prefix.slice(1)}`);
  net = component();
  await net.start();
});

afterAll(async () => {
  stopServers();
  await net?.teardown();
  for (const ns of (await shOk('ip', ['netns', 'list'])).split('\n'))
    if (ns.startsWith(`${remote.prefix}-`)) await shOk('ip', ['netns', 'del', ns.split(' ')[0]]);
  await removeRemote(n);
  await rm(dir, { recursive: true, force: true });
  expect(await leftovers(n, Object.values(ids))).toEqual([]);
});

describe('overlay networks in the agent', () => {
  let y: Container;

  it('gives a task eth0 on the node bridge and eth1 on its overlay, reaching another machine', async () => {
    const a = await net.attachments.attach({
      containerId: ids.x,
      mode: 'bridge',
      aliases: [],
      name: 'x',
      hostname: 'x',
      ports: [],
      overlays: [attachment(front, addr(front, 2))],
    });
    expect(a.ipv4).toMatch(/^10\.242\./);
    const ns = `${n.prefix}-${ids.x.slice(0, 12)}`;
    const eth1 = JSON.parse(await sh('ip', ['-n', ns, '-j', 'addr', 'show', 'dev', 'eth1']))[0];
    expect(eth1.address).toBe(`02:42:0a:60:${hex(front.subnet)}:02`);
    expect(eth1.mtu).toBe(1450);
    expect(await sh('ip', ['-n', ns, 'route', 'show', 'default'])).toContain('dev eth0');

    y = await remote.container(front, addr(front, 3));
    const x = local(ids.x, addr(front, 2));
    await net.cluster.setOverlays([describeNet(front, [x, y])]);
    await remote.fabric.replace([describeNet(front, [x, y])]);
    await startEcho(y.netns, 7101);
    expect(await echo(ns, 'tcp', y.address, 7101, 'hello y')).toBe('hello y');
    // The overlay subnet is never NATed: y sees x's own overlay address.
    expect(await sh('iptables-save', ['-t', 'nat'])).not.toContain(front.subnet);
  });

  it("routes nothing from one overlay to another through the node (a task's eth0)", async () => {
    await net.attachments.attach({
      containerId: ids.z,
      mode: 'bridge',
      aliases: [],
      name: 'z',
      hostname: 'z',
      ports: [],
      overlays: [attachment(back, addr(back, 2))],
    });
    const zns = `${n.prefix}-${ids.z.slice(0, 12)}`;
    await startEcho(zns, 7102);
    // x has no interface on `back`: its default route leads to the node, which has z's overlay
    // bridge; the node must not forward between them.
    const xns = `${n.prefix}-${ids.x.slice(0, 12)}`;
    expect(await echo(xns, 'tcp', addr(back, 2), 7102, 'leak')).toBe('');
    expect(await echo(zns, 'tcp', '127.0.0.1', 7102, 'self')).toBe('self');
  });

  it('gives a task on internal networks only no route out', async () => {
    const a = await net.attachments.attach({
      containerId: ids.w,
      mode: 'none',
      aliases: [],
      name: 'w',
      hostname: 'w',
      ports: [],
      overlays: [attachment(closed, addr(closed, 2))],
    });
    expect(a.ipv4).toBe(addr(closed, 2));
    expect(a.gateway).toBeUndefined();
    const wns = `${n.prefix}-${ids.w.slice(0, 12)}`;
    const links = JSON.parse(await sh('ip', ['-n', wns, '-j', 'link', 'show'])) as {
      ifname: string;
    }[];
    expect(links.map((l) => l.ifname).sort()).toEqual(['eth0', 'lo']);
    expect(await sh('ip', ['-n', wns, 'route', 'show', 'default'])).toBe('');
    expect(await echo(wns, 'tcp', remote.addr, 7101, 'out')).toBe('');
  });

  it('keeps the attachment across an agent restart', async () => {
    await net.stop();
    net = component();
    await net.start();
    await net.attachments.reconcile(new Set(Object.values(ids)));
    const xns = `${n.prefix}-${ids.x.slice(0, 12)}`;
    expect(await echo(xns, 'tcp', y.address, 7101, 'after restart')).toBe('after restart');
    expect(net.overlays.network(front.networkId)?.endpoints.map((e) => e.address)).toEqual([
      addr(front, 2),
      addr(front, 3),
    ]);
    expect(net.overlays.localEndpoints(front.networkId)).toEqual([
      { containerId: ids.x, netns: xns, ifName: 'eth1', address: addr(front, 2) },
    ]);
  });

  it('removes the devices with the last task of a network, and leftovers of a removed one', async () => {
    await net.attachments.detach(ids.z);
    expect(await links(`${n.prefix}vx${back.vni.toString(16)}`)).toBe(false);
    // Devices left by a network removed while the agent was away, with no record of ours.
    const stale = overlay(3);
    await sh('ip', ['link', 'add', `${n.prefix}ov${stale.vni.toString(16)}`, 'type', 'bridge']);
    await net.attachments.reconcile(new Set(Object.values(ids)));
    expect(await links(`${n.prefix}ov${stale.vni.toString(16)}`)).toBe(false);
    expect(await links(`${n.prefix}vx${front.vni.toString(16)}`)).toBe(true);
  });

  it('leaves nothing after agent cleanup', async () => {
    await net.stop();
    const removed = await removeNetworkLeftovers({
      dataRoot: dir,
      bridgeName: n.bridge,
      namePrefix: n.prefix,
      chainPrefix: n.chainPrefix,
    });
    expect(removed).toContain(`link ${n.prefix}vx${front.vni.toString(16)}`);
    // The other machine's namespace and link share the prefix; they go in afterAll.
    const ours = (await leftovers(n, Object.values(ids))).filter(
      (l) => !l.includes(n.remoteNs) && !l.endsWith(n.remoteVeth),
    );
    expect(ours).toEqual([]);
    net = component();
    await net.start();
    await net.attachments.reconcile(new Set());
  });
});

function hex(subnet: string): string {
  return Number(subnet.split('.')[2]).toString(16).padStart(2, '0');
}

async function links(name: string): Promise<boolean> {
  return (await shOk('ip', ['link', 'show', 'dev', name])) !== '';
}
