// Test scaffolding for agent/network: unique names per run, a "remote machine" namespace wired to
// the host by its own veth, echo servers inside namespaces, and clients run with socat.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { silentLogger } from '../../../shared/log/index.js';
import { NetworkComponent } from '../../../agent/network/index.js';

const exec = promisify(execFile);

export async function sh(cmd: string, args: string[]): Promise<string> {
  return (await exec(cmd, args, { maxBuffer: 32 * 1024 * 1024 })).stdout;
}

export async function shOk(cmd: string, args: string[]): Promise<string> {
  try {
    return await sh(cmd, args);
  } catch {
    return '';
  }
}

export const randomId = () => randomBytes(32).toString('hex');

export interface TestNames {
  prefix: string;
  chainPrefix: string;
  bridge: string;
  nodeSubnet: string;
  userPool: string;
  remoteNs: string;
  remoteVeth: string;
  remoteSubnetOctet: number;
}

export function testNames(): TestNames {
  const hex = randomBytes(2).toString('hex').slice(0, 3);
  const r = randomBytes(1)[0];
  return {
    prefix: `n${hex}`,
    chainPrefix: `FLOTILLA-T${hex.toUpperCase()}`,
    bridge: `n${hex}b0`,
    nodeSubnet: `10.242.${r}.0/24`,
    userPool: `10.243.${r & 0xfe}.0/23`,
    remoteNs: `n${hex}-remote`,
    remoteVeth: `n${hex}rem`,
    remoteSubnetOctet: r,
  };
}

export async function newManager(n: TestNames, dataRoot: string): Promise<NetworkComponent> {
  const m = new NetworkComponent({
    dataRoot,
    nodeSubnet: n.nodeSubnet,
    bridgeName: n.bridge,
    namePrefix: n.prefix,
    chainPrefix: n.chainPrefix,
    userSubnetPool: n.userPool,
    enableIpForward: false,
    log: silentLogger(),
  });
  await m.start();
  return m;
}

export async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'flt-net-it-'));
}

/**
 * A namespace standing in for another machine: 10.244.<r>.2/30 behind the host's 10.244.<r>.1.
 * Forwarding is enabled on the host end only (an interface this test owns).
 */
export async function createRemote(n: TestNames): Promise<{ hostAddr: string; addr: string }> {
  const hostAddr = `10.244.${n.remoteSubnetOctet}.1`;
  const addr = `10.244.${n.remoteSubnetOctet}.2`;
  await sh('ip', ['netns', 'add', n.remoteNs]);
  await sh('ip', [
    'link',
    'add',
    n.remoteVeth,
    'type',
    'veth',
    'peer',
    'name',
    'eth0',
    'netns',
    n.remoteNs,
  ]);
  await sh('ip', ['addr', 'add', `${hostAddr}/30`, 'dev', n.remoteVeth]);
  await sh('ip', ['link', 'set', n.remoteVeth, 'up']);
  await sh('sysctl', ['-qw', `net.ipv4.conf.${n.remoteVeth}.forwarding=1`]);
  await sh('ip', ['-n', n.remoteNs, 'addr', 'add', `${addr}/30`, 'dev', 'eth0']);
  await sh('ip', ['-n', n.remoteNs, 'link', 'set', 'eth0', 'up']);
  await sh('ip', ['-n', n.remoteNs, 'link', 'set', 'lo', 'up']);
  await sh('ip', ['-n', n.remoteNs, 'route', 'add', 'default', 'via', hostAddr]);
  return { hostAddr, addr };
}

export async function removeRemote(n: TestNames): Promise<void> {
  await shOk('ip', ['link', 'del', n.remoteVeth]);
  await shOk('ip', ['netns', 'del', n.remoteNs]);
}

const servers: ChildProcess[] = [];

/** TCP and UDP echo servers on `port` inside a namespace (socat). */
export async function startEcho(netns: string, port: number): Promise<void> {
  for (const args of [
    ['TCP-LISTEN:' + port + ',fork,reuseaddr', 'PIPE'],
    ['UDP-LISTEN:' + port + ',fork,reuseaddr', 'PIPE'],
  ]) {
    const p = spawn('ip', ['netns', 'exec', netns, 'socat', '-T', '3', ...args], {
      stdio: 'ignore',
    });
    servers.push(p);
  }
  // Wait until the TCP listener answers from inside the namespace.
  for (let i = 0; i < 50; i++) {
    if ((await echo(netns, 'tcp', '127.0.0.1', port, 'ready')) === 'ready') return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`echo server in ${netns} did not start`);
}

export function stopServers(): void {
  for (const p of servers.splice(0)) if (p.pid) process.kill(p.pid, 'SIGKILL');
}

/** Sends `msg` and returns what came back ('' on failure). `netns` undefined = the host. */
export async function echo(
  netns: string | undefined,
  proto: 'tcp' | 'udp',
  addr: string,
  port: number,
  msg: string,
): Promise<string> {
  const target = `${proto.toUpperCase()}:${addr}:${port}${proto === 'tcp' ? ',connect-timeout=2' : ''}`;
  const argv = ['-T', '2', '-', target];
  const [cmd, args] = netns ? ['ip', ['netns', 'exec', netns, 'socat', ...argv]] : ['socat', argv];
  return new Promise((resolve) => {
    const p = execFile(cmd as string, args as string[], { timeout: 6000 }, (_err, stdout) =>
      resolve(stdout.trim()),
    );
    // socat may exit before reading (refused, timed out): its stdin then fails with EPIPE.
    p.stdin?.on('error', () => {});
    p.stdin?.end(msg + '\n');
  });
}

/** Names of our leftovers: namespaces, links, iptables lines matching the prefixes. */
export async function leftovers(n: TestNames, ids: string[] = []): Promise<string[]> {
  const out: string[] = [];
  for (const ns of (await shOk('ip', ['netns', 'list'])).split('\n'))
    if (ns.startsWith(n.prefix)) out.push(`netns ${ns}`);
  for (const l of (await shOk('ip', ['-o', 'link', 'show'])).split('\n')) {
    const name = /^\d+:\s+([^:@\s]+)/.exec(l)?.[1];
    if (name?.startsWith(n.prefix)) out.push(`link ${name}`);
  }
  const save = await shOk('iptables-save', []);
  for (const line of save.split('\n')) {
    if (line.includes(n.chainPrefix) || ids.some((id) => line.includes(id.slice(0, 12))))
      out.push(`rule ${line}`);
  }
  return out;
}

export { rm };
