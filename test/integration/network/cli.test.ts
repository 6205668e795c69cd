// The network commands end to end: CLI → agent API over a unix socket → NetworkComponent.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AgentApiServer } from '../../../agent/api/server.js';
import { networkRoutes } from '../../../agent/api/routes/networks.js';
import type { NetworkComponent } from '../../../agent/network/index.js';
import { main } from '../../../cli/main.js';
import { silentLogger } from '../../../shared/log/index.js';
import { leftovers, newManager, randomId, rm, tempDir, testNames } from './helpers.js';

const n = testNames();
let dir: string;
let net: NetworkComponent;
let api: AgentApiServer;
let host: string;

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((c) => ((out += String(c)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((c) => ((err += String(c)), true));
  try {
    const code = await main(['-H', host, ...args]);
    return { code, out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

beforeAll(async () => {
  dir = await tempDir();
  net = await newManager(n, dir);
  const socketPath = join(dir, 'agent.sock');
  host = `unix://${socketPath}`;
  api = new AgentApiServer({ socketPath, log: silentLogger(), routes: [networkRoutes(net.local)] });
  await api.start();
});

afterAll(async () => {
  await api?.stop();
  await net?.teardown();
  await rm(dir, { recursive: true, force: true });
  expect(await leftovers(n)).toEqual([]);
});

describe('flotilla network', () => {
  it('creates, lists, inspects, connects, disconnects, removes and prunes', async () => {
    const subnet = `10.245.${Math.floor(Math.random() * 250)}.0/24`;
    const created = await cli('network', 'create', '--subnet', subnet, 'front');
    expect(created.code).toBe(0);
    expect(created.out).toMatch(/^[0-9a-f]{64}\n$/);
    expect((await cli('network', 'create', 'front')).err).toContain(
      'network with name front already exists',
    );
    expect((await cli('network', 'create', '--subnet', '10.1.2.3/24', 'bad')).err).toContain(
      'host bits set',
    );
    expect((await cli('network', 'create', 'back')).code).toBe(0);

    const ls = await cli('network', 'ls');
    expect(ls.out.split('\n')[0]).toMatch(/^NETWORK ID\s+NAME\s+DRIVER\s+SCOPE\s+SUBNET$/);
    expect(ls.out).toContain(subnet);
    expect(ls.out).toMatch(/\bhost\s+host\s+local/);
    const json = (await cli('network', 'ls', '--format', 'json')).out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(json.map((x: { name: string }) => x.name)).toEqual([
      'bridge',
      'host',
      'none',
      'front',
      'back',
    ]);

    const id = randomId();
    await net.attachments.attach({
      containerId: id,
      mode: 'front',
      aliases: [],
      name: 'web',
      hostname: 'web',
      ports: [],
    });
    expect((await cli('network', 'connect', '--alias', 'w2', 'back', 'web')).code).toBe(0);
    const inspected = JSON.parse((await cli('network', 'inspect', 'back')).out);
    expect(inspected[0].containers[id]).toMatchObject({ name: 'web', aliases: ['w2'] });
    const rmBusy = await cli('network', 'rm', 'back');
    expect(rmBusy.code).toBe(1);
    expect(rmBusy.err).toContain('network back has active endpoints: web');
    expect((await cli('network', 'disconnect', 'back', 'web')).code).toBe(0);
    expect((await cli('network', 'disconnect', 'back', 'web')).err).toContain(
      'is not connected to network back',
    );
    expect((await cli('network', 'rm', 'back')).out).toBe('back\n');
    expect((await cli('network', 'rm', 'bridge')).err).toContain('pre-defined network');
    expect((await cli('network', 'inspect', 'back')).err).toContain('network back not found');
    await net.attachments.detach(id);
    expect((await cli('network', 'prune', '-f')).out).toBe('Deleted Networks:\nfront\n');
  });
});
