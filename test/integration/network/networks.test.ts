// User-defined networks: name resolution through the network's DNS, isolation between networks,
// connect/disconnect, and the network commands' operations.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NetworkComponent } from '../../../agent/network/index.js';
import {
  echo,
  leftovers,
  newManager,
  randomId,
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
const ids = { api: randomId(), front: randomId(), other: randomId(), plain: randomId() };
const ns = (id: string) => `${n.prefix}-${id.slice(0, 12)}`;

/** busybox nslookup inside a namespace; returns the answer addresses. */
async function resolve(netns: string, name: string, server: string): Promise<string[]> {
  const out = await shOk('ip', [
    'netns',
    'exec',
    netns,
    'busybox',
    'nslookup',
    '-type=a',
    name,
    server,
  ]);
  const answer = out.split(/Name:/).slice(1).join('\n');
  return [...answer.matchAll(/Address:\s*(\d+\.\d+\.\d+\.\d+)/g)].map((m) => m[1]);
}

beforeAll(async () => {
  dir = await tempDir();
  net = await newManager(n, dir);
});

afterAll(async () => {
  stopServers();
  await net?.teardown();
  await rm(dir, { recursive: true, force: true });
  expect(await leftovers(n, Object.values(ids))).toEqual([]);
});

describe('user-defined networks', () => {
  it('resolves names and aliases on one network and isolates it from another', async () => {
    const a = await net.local.createNetwork({ name: 'neta' });
    const b = await net.local.createNetwork({ name: 'netb' });
    expect(a.subnet).not.toBe(b.subnet);
    await expect(net.local.createNetwork({ name: 'neta' })).rejects.toMatchObject({
      code: 'NETWORK_EXISTS',
    });
    await expect(net.local.createNetwork({ name: 'x', subnet: a.subnet })).rejects.toMatchObject({
      code: 'SUBNET_OVERLAP',
    });

    const api = await net.attachments.attach({
      containerId: ids.api,
      mode: 'neta',
      aliases: ['backend'],
      name: 'api',
      hostname: 'api',
      ports: [],
    });
    const front = await net.attachments.attach({
      containerId: ids.front,
      mode: 'neta',
      aliases: [],
      name: 'front',
      hostname: 'front',
      ports: [],
    });
    const other = await net.attachments.attach({
      containerId: ids.other,
      mode: 'netb',
      aliases: [],
      name: 'other',
      hostname: 'other',
      ports: [],
    });
    expect(api.dns).toEqual([a.gateway]);
    expect(other.gateway).toBe(b.gateway);
    await startEcho(ns(ids.api), 7000);

    expect(await resolve(ns(ids.front), 'api', a.gateway!)).toEqual([api.ipv4]);
    expect(await resolve(ns(ids.front), 'backend', a.gateway!)).toEqual([api.ipv4]);
    expect(await resolve(ns(ids.front), ids.api.slice(0, 12), a.gateway!)).toEqual([api.ipv4]);
    expect(await resolve(ns(ids.other), 'api', b.gateway!)).toEqual([]);
    expect(await resolve(ns(ids.other), 'other', b.gateway!)).toEqual([other.ipv4]);

    expect(await echo(ns(ids.front), 'tcp', api.ipv4!, 7000, 'same-net')).toBe('same-net');
    expect(await echo(ns(ids.other), 'tcp', api.ipv4!, 7000, 'cross-net')).toBe('');
    expect(front.ipv4).not.toBe(api.ipv4);

    // connect puts `other` on neta too (eth1): now it reaches and resolves api.
    await net.local.connect('neta', ids.other, ['o2']);
    expect(await sh('ip', ['-n', ns(ids.other), '-o', '-4', 'addr', 'show', 'eth1'])).toContain(
      a.subnet!.slice(0, -5),
    );
    expect(await echo(ns(ids.other), 'tcp', api.ipv4!, 7000, 'connected')).toBe('connected');
    expect(await resolve(ns(ids.api), 'o2', a.gateway!)).toHaveLength(1);
    expect(Object.keys(net.local.inspectNetwork('neta').containers ?? {}).sort()).toEqual(
      [ids.api, ids.front, ids.other].sort(),
    );
    await expect(net.local.connect('neta', ids.other)).rejects.toMatchObject({
      code: 'ENDPOINT_EXISTS',
    });
    await net.local.disconnect('neta', ids.other);
    expect(await echo(ns(ids.other), 'tcp', api.ipv4!, 7000, 'again')).toBe('');

    await expect(net.local.removeNetwork('neta')).rejects.toMatchObject({
      code: 'NETWORK_IN_USE',
      message: expect.stringContaining('api'),
    });
    await expect(net.local.removeNetwork('bridge')).rejects.toMatchObject({
      code: 'NETWORK_PREDEFINED',
    });
    await expect(net.local.removeNetwork('nope')).rejects.toMatchObject({
      code: 'NETWORK_NOT_FOUND',
    });
    expect(net.local.listNetworks().map((x) => x.name)).toEqual([
      'bridge',
      'host',
      'none',
      'neta',
      'netb',
    ]);

    for (const id of Object.values(ids)) await net.attachments.detach(id);
    expect(await net.local.pruneNetworks()).toEqual(['neta', 'netb']);
    expect(net.local.listNetworks().map((x) => x.name)).toEqual(['bridge', 'host', 'none']);
    expect(await shOk('ip', ['link', 'show', a.bridge!])).toBe('');
  });

  it('supports host, none and container: modes', async () => {
    const host = await net.attachments.attach({
      containerId: ids.plain,
      mode: 'host',
      aliases: [],
      name: 'h',
      hostname: 'h',
      ports: [],
    });
    expect(host.netnsPath).toBeUndefined();
    await net.attachments.detach(ids.plain);
    const none = await net.attachments.attach({
      containerId: ids.plain,
      mode: 'none',
      aliases: [],
      name: 'n',
      hostname: 'n',
      ports: [],
    });
    expect(none.netnsPath).toBe(`/run/netns/${ns(ids.plain)}`);
    expect(await sh('ip', ['-n', ns(ids.plain), '-o', 'link', 'show'])).not.toContain('eth0');
    const joined = await net.attachments.attach({
      containerId: ids.api,
      mode: `container:${ids.plain.slice(0, 12)}`,
      aliases: [],
      name: 'j',
      hostname: 'j',
      ports: [],
    });
    expect(joined.netnsPath).toBe(none.netnsPath);
    await expect(
      net.attachments.attach({
        containerId: ids.front,
        mode: 'nosuch',
        aliases: [],
        name: 'f',
        hostname: 'f',
        ports: [],
      }),
    ).rejects.toMatchObject({ code: 'NETWORK_NOT_FOUND' });
    await net.attachments.detach(ids.plain);
    expect(net.attachments.attachmentFor(ids.api)).toBeUndefined();
  });
});
