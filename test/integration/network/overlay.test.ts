// The overlay data plane across three simulated machines (network namespaces on one LAN): a
// container on one machine reaches a container on another over VXLAN, two overlays stay apart,
// endpoints come and go incrementally, teardown leaves nothing, and an encrypted overlay is ESP on
// the wire (or, on a kernel without ESP, refused rather than sent in clear).
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FlotillaError } from '../../../shared/errors/index.js';
import { echo, sh, startEcho, stopServers } from './helpers.js';
import {
  describe as describeNet,
  endpoint,
  machinesDown,
  machinesUp,
  ping,
  type Container,
  type Lan,
  type TestNet,
} from './overlay-machines.js';

let lan: Lan;
const octet = 100 + Math.floor(Math.random() * 100);
const net = (i: number, extra: Partial<TestNet> = {}): TestNet => ({
  networkId: `net${i}`.padEnd(25, '0'),
  name: `ovl${i}`,
  vni: 4200 + octet * 4 + i,
  subnet: `10.97.${octet + i}.0/24`,
  gateway: `10.97.${octet + i}.1`,
  internal: false,
  encrypted: false,
  keys: [],
  ...extra,
});
const front = net(0);
const other = net(1);

beforeAll(async () => {
  lan = await machinesUp(3);
});

afterAll(async () => {
  stopServers();
  await machinesDown(lan);
});

describe('overlay data plane', () => {
  let a: Container; // m1, front
  let b: Container; // m2, front
  let c: Container; // m1, other
  let d: Container; // m2, other

  it('connects a container on one machine to one on another over VXLAN', async () => {
    const [m1, m2] = lan.machines;
    a = await m1.container(front, `10.97.${octet}.2`);
    b = await m2.container(front, `10.97.${octet}.3`);
    for (const m of [m1, m2]) await m.fabric.replace([describeNet(front, [a, b])]);
    expect(await ping(a, b.address)).toBe(true);
    await startEcho(b.netns, 7001);
    expect(await echo(a.netns, 'tcp', b.address, 7001, 'over the overlay')).toBe(
      'over the overlay',
    );
    // The devices carry the VNI, no learning, and the MTU leaves room for VXLAN's 50 bytes.
    const vx = JSON.parse(await m1.sh('ip', ['-j', '-d', 'link', 'show', 'type', 'vxlan']))[0];
    expect(vx.linkinfo.info_data).toMatchObject({ id: front.vni, port: 4789, learning: false });
    expect(vx.mtu).toBe(1450);
    // Exactly one forwarding entry (the remote endpoint) and no flooding (all-zero) entry.
    const fdb = JSON.parse(await m1.sh('bridge', ['-j', 'fdb', 'show', 'dev', vx.ifname]));
    const remote = fdb.filter((f: { dst?: string }) => f.dst);
    expect(remote).toEqual([
      expect.objectContaining({ mac: '02:42:0a:61:' + hex(octet) + ':03', dst: m2.addr }),
    ]);
  });

  it('keeps two overlays apart', async () => {
    const [m1, m2] = lan.machines;
    c = await m1.container(other, `10.97.${octet + 1}.2`);
    d = await m2.container(other, `10.97.${octet + 1}.3`);
    for (const m of [m1, m2])
      await m.fabric.apply([
        {
          networkId: other.networkId,
          set: describeNet(other, [c, d]),
          upsertEndpoints: [],
          removedEndpoints: [],
          upsertServices: [],
          removedServices: [],
        },
      ]);
    expect(await ping(c, d.address)).toBe(true);
    // a tries d's address through its own overlay interface: front's VXLAN device knows no such
    // neighbour, so nothing crosses to the other network.
    await run(a.netns, ['ip', 'route', 'add', other.subnet, 'dev', 'eth1']);
    expect(await ping(a, d.address)).toBe(false);
    await startEcho(d.netns, 7002);
    expect(await echo(a.netns, 'tcp', d.address, 7002, 'x')).toBe('');
  });

  it('adds and removes endpoints incrementally', async () => {
    const [m1, m2, m3] = lan.machines;
    const e = await m3.container(front, `10.97.${octet}.4`);
    await m3.fabric.replace([describeNet(front, [a, b, e])]);
    const add = {
      networkId: front.networkId,
      upsertEndpoints: [endpoint(e)],
      removedEndpoints: [],
      upsertServices: [],
      removedServices: [],
    };
    // Before m1 hears of e, it cannot reach it (nothing is flooded to find it).
    expect(await ping(a, e.address)).toBe(false);
    for (const m of [m1, m2]) await m.fabric.apply([add]);
    expect(await ping(a, e.address)).toBe(true);
    expect(await ping(b, e.address)).toBe(true);
    expect(await neighbours(m1, front)).toEqual([b.address, e.address].sort());
    const gone = { ...add, upsertEndpoints: [], removedEndpoints: [e.address] };
    for (const m of [m1, m2]) await m.fabric.apply([gone]);
    expect(await neighbours(m1, front)).toEqual([b.address]);
    expect(await ping(a, e.address)).toBe(false);
    expect(await ping(a, b.address)).toBe(true);
    await m3.remove(e);
    expect(await m3.leftovers()).toEqual([]);
  });

  it('deletes the devices of a network the complete set no longer lists, once unused here', async () => {
    const [m1] = lan.machines;
    const gone = net(3);
    const g = await m1.container(gone, `10.97.${octet + 3}.2`);
    // The container went while the agent was away (its endpoint record with it); the devices
    // stayed, and the manager's complete set no longer lists the network.
    m1.store.state.endpoints = m1.store.state.endpoints.filter((e) => e.containerId !== g.id);
    await sh('ip', ['netns', 'del', g.netns]);
    await m1.fabric.replace([describeNet(front, [a, b]), describeNet(other, [c, d])]);
    const left = await m1.leftovers();
    const devices = (t: TestNet) =>
      left.filter((l) => /(ov|vx)[0-9a-f]+$/.test(l) && l.endsWith(t.vni.toString(16)));
    expect(devices(gone)).toEqual([]);
    expect(devices(front)).toHaveLength(2);
    expect(await ping(a, b.address)).toBe(true);
  });

  it('removes the devices with the last container of a network, and on removal', async () => {
    const [m1, m2] = lan.machines;
    await m1.remove(c);
    expect((await m1.leftovers()).filter((l) => l.includes(`vx${other.vni.toString(16)}`))).toEqual(
      [],
    );
    await m2.fabric.apply([
      {
        networkId: other.networkId,
        removed: true,
        upsertEndpoints: [],
        removedEndpoints: [],
        upsertServices: [],
        removedServices: [],
      },
    ]);
    await m2.remove(d);
    await m1.remove(a);
    await m2.remove(b);
    for (const m of lan.machines) expect(await m.leftovers()).toEqual([]);
  });
});

describe('encrypted overlay', () => {
  const secret = net(2, {
    encrypted: true,
    keys: [
      { key: Buffer.alloc(32, 7), spi: 11, generation: 1 },
      { key: Buffer.alloc(32, 9), spi: 12, generation: 2 },
    ],
  });

  it('is ESP on the wire between machines, never the payload', async () => {
    const [m1, m2] = lan.machines;
    if (!(await m1.fabric.xfrm.supported())) {
      // This kernel has no ESP: the network is refused, never carried in clear, and nothing stays.
      const err = await m1.container(secret, `10.97.${octet + 2}.2`).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(FlotillaError);
      expect((err as FlotillaError).code).toBe('OVERLAY_ENCRYPTION_UNAVAILABLE');
      expect(await m1.leftovers()).toEqual([]);
      return;
    }
    const x = await m1.container(secret, `10.97.${octet + 2}.2`);
    const y = await m2.container(secret, `10.97.${octet + 2}.3`);
    for (const m of [m1, m2]) await m.fabric.replace([describeNet(secret, [x, y])]);
    await startEcho(y.netns, 7003);
    const capture = spawn(
      'tcpdump',
      [`--interface=${lan.bridge}`, '-n', '-l', '-A', 'host', m1.addr, 'and', 'host', m2.addr],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    let wire = '';
    capture.stdout.on('data', (b: Buffer) => (wire += b.toString('latin1')));
    await new Promise((r) => setTimeout(r, 1000));
    expect(await echo(x.netns, 'tcp', y.address, 7003, 'secret-payload-1234')).toBe(
      'secret-payload-1234',
    );
    await new Promise((r) => setTimeout(r, 500));
    capture.kill('SIGINT');
    expect(wire).toContain('ESP');
    expect(wire).not.toContain('secret-payload-1234');
    expect(wire).not.toMatch(/VXLAN|4789/);
    for (const m of [m1, m2]) {
      await m.remove(x.machine === m ? x : y);
      expect(await m.leftovers()).toEqual([]);
    }
  });
});

function hex(n: number): string {
  return n.toString(16).padStart(2, '0');
}

async function run(netns: string, argv: string[]): Promise<void> {
  const { sh } = await import('./helpers.js');
  await sh('ip', ['netns', 'exec', netns, ...argv]);
}

async function neighbours(m: (typeof lan.machines)[number], n: TestNet): Promise<string[]> {
  const rows = JSON.parse(
    await m.sh('ip', ['-j', 'neigh', 'show', 'dev', `${m.prefix}vx${n.vni.toString(16)}`]),
  ) as { dst: string }[];
  return rows.map((r) => r.dst).sort();
}
