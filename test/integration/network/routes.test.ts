// Peer routes: another node's container subnet is routed via its address, reaches our containers
// directly (no NAT, no published port), and the route and rules go away when withdrawn.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NetworkComponent } from '../../../agent/network/index.js';
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
const id = randomId();
const peerSubnet = `10.249.${n.remoteSubnetOctet}.0/24`;
const peerAddr = `10.249.${n.remoteSubnetOctet}.1`;

beforeAll(async () => {
  dir = await tempDir();
  net = await newManager(n, dir);
  remote = await createRemote(n);
  // The remote plays a peer node whose containers live in peerSubnet.
  await sh('ip', ['-n', n.remoteNs, 'addr', 'add', `${peerAddr}/24`, 'dev', 'eth0']);
  await sh('ip', [
    '-n',
    n.remoteNs,
    'route',
    'add',
    n.nodeSubnet,
    'via',
    remote.hostAddr,
    'src',
    peerAddr,
  ]);
});

afterAll(async () => {
  stopServers();
  await net?.teardown();
  await removeRemote(n);
  await rm(dir, { recursive: true, force: true });
  expect(await leftovers(n, [id])).toEqual([]);
  expect(await shOk('ip', ['route', 'show', peerSubnet])).toBe('');
});

describe('peer routes', () => {
  it('routes a peer subnet idempotently and lets it reach containers directly', async () => {
    const a = await net.attachments.attach({
      containerId: id,
      mode: 'bridge',
      aliases: [],
      name: 'c',
      hostname: 'c',
      ports: [],
    });
    await startEcho(`${n.prefix}-${id.slice(0, 12)}`, 7000);
    expect(await echo(n.remoteNs, 'tcp', a.ipv4!, 7000, 'before')).toBe('');

    await net.cluster.setPeerRoutes([{ subnet: peerSubnet, via: remote.addr }]);
    await net.cluster.setPeerRoutes([{ subnet: peerSubnet, via: remote.addr }]);
    expect((await sh('ip', ['route', 'show', peerSubnet])).trim()).toBe(
      `${peerSubnet} via ${remote.addr} dev ${n.remoteVeth}`,
    );
    expect(await echo(n.remoteNs, 'tcp', a.ipv4!, 7000, 'peer')).toBe('peer');
    // The container sees the peer's own address: no masquerade between node subnets.
    expect(await sh('iptables-save', ['-t', 'nat'])).toContain(
      `-s ${n.nodeSubnet} -d ${peerSubnet}`,
    );

    await net.cluster.setPeerRoutes([]);
    expect(await shOk('ip', ['route', 'show', peerSubnet])).toBe('');
    expect(await echo(n.remoteNs, 'tcp', a.ipv4!, 7000, 'after')).toBe('');
    expect(await sh('iptables-save', [])).not.toContain(peerSubnet);
  });
});
