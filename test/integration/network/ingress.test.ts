// The routing mesh on one agent with real iptables and namespaces: an ingress port on the host
// spreads connections from another machine across the endpoint addresses, refuses at once when it
// has none, and leaves no chain behind when the endpoint set drops it.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NetworkComponent } from '../../../agent/network/index.js';
import {
  createRemote,
  leftovers,
  newManager,
  randomId,
  removeRemote,
  rm,
  sh,
  tempDir,
  testNames,
} from './helpers.js';

const n = testNames();
let dir: string;
let net: NetworkComponent;
let remote: { hostAddr: string; addr: string };
const ids = [randomId(), randomId()];
const addrs: string[] = [];
const servers: ChildProcess[] = [];
const PORT = 18095;

/** One TCP connection from the remote machine: what came back, or socat's complaint. */
function connect(addr: string, port: number): Promise<{ out: string; err: string }> {
  return new Promise((resolve) => {
    const p = execFile(
      'ip',
      [
        'netns',
        'exec',
        n.remoteNs,
        'socat',
        '-T',
        '2',
        '-',
        `TCP:${addr}:${port},connect-timeout=5`,
      ],
      { timeout: 8000 },
      (_e, stdout, stderr) => resolve({ out: stdout.trim(), err: stderr.trim() }),
    );
    p.stdin?.end('hi\n');
  });
}

beforeAll(async () => {
  dir = await tempDir();
  net = await newManager(n, dir);
  remote = await createRemote(n);
  for (const [i, id] of ids.entries()) {
    const a = await net.attachments.attach({
      containerId: id,
      mode: 'bridge',
      aliases: [],
      name: `c${i}`,
      hostname: `c${i}`,
      ports: [],
    });
    addrs.push(a.ipv4!);
    // Each "task" answers with its own name.
    servers.push(
      spawn(
        'ip',
        [
          'netns',
          'exec',
          `${n.prefix}-${id.slice(0, 12)}`,
          'socat',
          'TCP-LISTEN:7000,fork,reuseaddr',
          `SYSTEM:echo task${i}`,
        ],
        { stdio: 'ignore' },
      ),
    );
  }
  for (let i = 0; i < 50; i++) {
    const ok = await Promise.all(
      addrs.map(async (a) =>
        (await sh('bash', ['-c', `echo | socat -T1 - TCP:${a}:7000 || true`])).trim(),
      ),
    );
    if (ok.every((x) => x.startsWith('task'))) break;
    await new Promise((r) => setTimeout(r, 100));
  }
});

afterAll(async () => {
  for (const p of servers) if (p.pid) process.kill(p.pid, 'SIGKILL');
  await net?.teardown();
  await removeRemote(n);
  await rm(dir, { recursive: true, force: true });
  expect(await leftovers(n, ids)).toEqual([]);
});

describe('routing mesh on one agent', () => {
  it('spreads connections to the port across every endpoint address', async () => {
    await net.cluster.setIngress([
      {
        serviceId: 's1',
        name: 'web',
        ports: [{ published: PORT, target: 7000, protocol: 'tcp' }],
        addrs,
      },
    ]);
    const seen = new Set<string>();
    for (let i = 0; i < 40 && seen.size < 2; i++) {
      const r = await connect(remote.hostAddr, PORT);
      expect(r.out, r.err).toMatch(/^task[01]$/);
      seen.add(r.out);
    }
    expect([...seen].sort()).toEqual(['task0', 'task1']);
    // From the host itself, through its loopback: this node's tasks answer.
    const local = await sh('bash', ['-c', `echo | socat -T2 - TCP:127.0.0.1:${PORT}`]);
    expect(local.trim()).toMatch(/^task[01]$/);
  });

  it('sends nothing to an address that left the set', async () => {
    await net.cluster.setIngress([
      {
        serviceId: 's1',
        name: 'web',
        ports: [{ published: PORT, target: 7000, protocol: 'tcp' }],
        addrs: [addrs[1]!],
      },
    ]);
    for (let i = 0; i < 10; i++) expect((await connect(remote.hostAddr, PORT)).out).toBe('task1');
  });

  it('refuses connections (reset) when the service has no endpoint', async () => {
    await net.cluster.setIngress([
      {
        serviceId: 's1',
        name: 'web',
        ports: [{ published: PORT, target: 7000, protocol: 'tcp' }],
        addrs: [],
      },
    ]);
    const r = await connect(remote.hostAddr, PORT);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/Connection refused/);
    expect(await sh('iptables-save', ['-t', 'filter'])).toContain(
      `-A ${n.chainPrefix}-INPUT -p tcp -m tcp --dport ${PORT}`,
    );
  });

  it('removes the port and its chain when the service leaves the set', async () => {
    await net.cluster.setIngress([
      {
        serviceId: 's1',
        name: 'web',
        ports: [{ published: PORT, target: 7000, protocol: 'tcp' }],
        addrs,
      },
    ]);
    expect(await sh('iptables-save', ['-t', 'nat'])).toContain(`:${n.chainPrefix}-ING-TCP${PORT}`);
    await net.cluster.setIngress([]);
    const save = await sh('iptables-save', []);
    expect(save).not.toContain(`${n.chainPrefix}-ING-`);
    expect(save).not.toContain(`ingress:web`);
  });
});
