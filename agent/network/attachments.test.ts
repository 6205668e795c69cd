// Attach and detach with the host tools replaced by fakes: the namespace and veth of each container
// are made outside the network mutex (many starts plumb side by side), and a container without
// published ports changes no rule, so iptables-restore runs once, not once per container.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../shared/log/index.js';

const calls: string[] = [];
/** Resolvers of fake `ip` runs that wait; the test releases them. */
let gate: (() => void)[] = [];
let holdPlumbing = false;

vi.mock('./exec.js', () => ({
  run: async (cmd: string, args: string[]) => {
    calls.push([cmd, ...args].join(' '));
    return { code: 0, stdout: '', stderr: '' };
  },
  ip: async () => '',
  setSysctl: async () => undefined,
  getSysctl: async () => '0',
}));

vi.mock('./host/links.js', async (importOriginal) => ({
  ...(await importOriginal<object>()),
  createNetns: async (name: string) => {
    calls.push(`netns add ${name}`);
    if (holdPlumbing) await new Promise<void>((r) => gate.push(r));
  },
  addInterface: async (s: { hostVeth: string }) => {
    calls.push(`veth ${s.hostVeth}`);
  },
  deleteLinksAndNetns: async (links: string[], netns?: string) => {
    calls.push(`delete ${links.join(',')} ${netns}`);
  },
}));

const { NetworkCore } = await import('./core.js');
const { Endpoints } = await import('./endpoints.js');
const { NetworkCatalog } = await import('./catalog.js');
const { ContainerAttachments } = await import('./attachments.js');

let dir: string;
let attachments: InstanceType<typeof ContainerAttachments>;
let core: InstanceType<typeof NetworkCore>;

beforeEach(async () => {
  calls.length = 0;
  gate = [];
  holdPlumbing = false;
  dir = await mkdtemp(join(tmpdir(), 'flt-attach-unit-'));
  core = new NetworkCore({
    dataRoot: dir,
    nodeSubnet: '10.250.0.0/24',
    dnsUpstreams: ['192.0.2.53'],
    underlayAddr: '127.0.0.1',
    log: createLogger({ proc: 'test', level: 'error' }),
  });
  const endpoints = new Endpoints(core);
  attachments = new ContainerAttachments(core, endpoints, new NetworkCatalog(core));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const request = (n: number) => ({
  containerId: `${n}`.repeat(64).slice(0, 64),
  mode: 'bridge',
  aliases: [],
  name: `c${n}`,
  hostname: `c${n}`,
  ports: [],
});

describe('ContainerAttachments', () => {
  it('plumbs several containers at once: the namespaces are made outside the mutex', async () => {
    holdPlumbing = true;
    const attached = [1, 2, 3].map((n) => attachments.attach(request(n)));
    // All three reach the kernel step before any of them is let through.
    await vi.waitFor(() => expect(gate).toHaveLength(3));
    for (const release of gate) release();
    const results = await Promise.all(attached);
    expect(new Set(results.map((r) => r.ipv4)).size).toBe(3);
    expect(calls.filter((c) => c.startsWith('veth '))).toHaveLength(3);
  });

  it('applies the rules once for containers that publish nothing, and deletes in one step', async () => {
    for (const n of [1, 2, 3]) await attachments.attach(request(n));
    for (const n of [1, 2, 3]) await attachments.detach(request(n).containerId);
    expect(calls.filter((c) => c.startsWith('iptables-restore'))).toHaveLength(1);
    const deletes = calls.filter((c) => c.startsWith('delete '));
    expect(deletes).toHaveLength(3);
    expect(deletes[0]).toMatch(/^delete \S+0 \S+-111111111111$/);
  });

  it('releases the address of a detached container once its veth is gone', async () => {
    const first = await attachments.attach(request(1));
    expect((await core.ipam.allocations()).map((a) => a.ip)).toEqual([first.ipv4]);
    await attachments.detach(request(1).containerId);
    expect(await core.ipam.allocations()).toEqual([]);
    expect(core.state.endpoints).toEqual([]);
  });
});
