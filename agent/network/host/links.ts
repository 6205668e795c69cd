// The kernel objects behind a network: bridges, network namespaces, veth pairs, routes. Thin
// wrappers over `ip`; each create is idempotent and each delete ignores "already gone".
import { ip, run, setSysctl } from '../exec.js';
import { intToIp, ipToInt, mask } from '../ipam/cidr.js';

async function exists(args: string[]): Promise<boolean> {
  return (await run('ip', args, { allowFailure: true })).code === 0;
}

export async function linkExists(name: string): Promise<boolean> {
  return exists(['link', 'show', 'dev', name]);
}

/** Bridge with the gateway address, forwarding and route_localnet on (see docs/design/network.md). */
export async function ensureBridge(name: string, gatewayCidr: string): Promise<void> {
  if (!(await linkExists(name))) {
    const r = await run('ip', ['link', 'add', 'name', name, 'type', 'bridge'], {
      allowFailure: true,
    });
    if (r.code !== 0 && !(await linkExists(name)))
      await ip('link', 'add', 'name', name, 'type', 'bridge');
  }
  await ip('addr', 'replace', gatewayCidr, 'dev', name);
  await ip('link', 'set', name, 'up');
  // The connected route as the kernel makes it, again: a route another agent version installed
  // over it (`ip route replace`) is not undone by the address above.
  const [gateway, prefix] = gatewayCidr.split('/');
  const network = `${intToIp((ipToInt(gateway)! & mask(Number(prefix))) >>> 0)}/${prefix}`;
  await ip(
    'route',
    'replace',
    network,
    'dev',
    name,
    'proto',
    'kernel',
    'scope',
    'link',
    'src',
    gateway,
  );
  await setSysctl(`net/ipv4/conf/${name}/forwarding`, '1');
  await setSysctl(`net/ipv4/conf/${name}/route_localnet`, '1');
}

export async function deleteLink(name: string): Promise<void> {
  await run('ip', ['link', 'del', 'dev', name], { allowFailure: true });
}

export async function netnsExists(name: string): Promise<boolean> {
  return (await listNetns()).includes(name);
}

/** Creates the namespace (kept if it exists) with loopback up: two `ip` runs, no listing. */
export async function createNetns(name: string): Promise<void> {
  const add = await run('ip', ['netns', 'add', name], { allowFailure: true });
  if (add.code !== 0 && !(await netnsExists(name))) await ip('netns', 'add', name);
  await ip('-n', name, 'link', 'set', 'lo', 'up');
}

/**
 * Deletes host links and a namespace in one `ip` run (`-force`: every line is tried; "already
 * gone" is not an error, as with deleteLink/deleteNetns). Deleting the namespace also deletes the
 * container ends of its veths, and so the pairs.
 */
export async function deleteLinksAndNetns(links: string[], netns?: string): Promise<void> {
  const lines = [
    ...links.map((l) => `link del dev ${l}`),
    ...(netns ? [`netns del ${netns}`] : []),
  ];
  if (lines.length === 0) return;
  await run('ip', ['-force', '-batch', '-'], {
    input: `${lines.join('\n')}\n`,
    allowFailure: true,
  });
}

export async function deleteNetns(name: string): Promise<void> {
  await run('ip', ['netns', 'del', name], { allowFailure: true });
}

export async function listNetns(): Promise<string[]> {
  const out = (await run('ip', ['netns', 'list'], { allowFailure: true })).stdout;
  return out
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[0])
    .filter(Boolean);
}

export async function listLinks(): Promise<string[]> {
  const out = await ip('-o', 'link', 'show');
  // "7: fltv1234@if2: <...>" → fltv1234
  return out
    .split('\n')
    .map((l) => /^\d+:\s+([^:@\s]+)/.exec(l)?.[1])
    .filter((n): n is string => Boolean(n));
}

export interface InterfaceSpec {
  netns: string;
  hostVeth: string;
  /** Name inside the namespace (eth0, eth1 …). */
  ifName: string;
  bridge: string;
  /** Address with prefix, e.g. 10.240.0.5/24. */
  cidr: string;
  /** Set the default route through this gateway (first interface only). */
  gateway?: string;
}

/**
 * veth pair: host end on the bridge (hairpin on), container end configured inside the netns. Two
 * `ip -batch` runs (host side, then inside the namespace) instead of one process per step: with
 * many containers starting at once, process start-up was most of a start's network phase. A
 * host end left by a crash makes the first batch fail; it is deleted and the batch run again.
 */
export async function addInterface(s: InterfaceSpec): Promise<void> {
  const host = [
    `link add ${s.hostVeth} type veth peer name ${s.ifName} netns ${s.netns}`,
    `link set ${s.hostVeth} master ${s.bridge}`,
    // Hairpin lets a container reach its own published port through the host.
    `link set ${s.hostVeth} type bridge_slave hairpin on`,
    `link set ${s.hostVeth} up`,
  ].join('\n');
  const first = await run('ip', ['-batch', '-'], { input: `${host}\n`, allowFailure: true });
  if (first.code !== 0) {
    await deleteLink(s.hostVeth);
    await run('ip', ['-batch', '-'], { input: `${host}\n` });
  }
  const inside = [
    `addr add ${s.cidr} dev ${s.ifName}`,
    `link set ${s.ifName} up`,
    ...(s.gateway ? [`route replace default via ${s.gateway}`] : []),
  ].join('\n');
  await run('ip', ['-n', s.netns, '-batch', '-'], { input: `${inside}\n` });
}

export async function replaceRoute(subnet: string, via: string): Promise<void> {
  await ip('route', 'replace', subnet, 'via', via);
}

export async function deleteRoute(subnet: string, via: string): Promise<void> {
  await run('ip', ['route', 'del', subnet, 'via', via], { allowFailure: true });
}

/** IPv4 destinations the host already routes (to avoid picking an overlapping subnet). */
export async function hostRoutes(): Promise<string[]> {
  const out = await ip('-4', 'route', 'show', 'table', 'all');
  return out
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .map((w) => (w[0] === 'local' || w[0] === 'broadcast' ? '' : w[0]))
    .filter((d) => d && /^[\d.]+(\/\d+)?$/.test(d))
    .map((d) => (d.includes('/') ? d : `${d}/32`));
}

export interface HostRoute {
  /** Destination as CIDR (0.0.0.0/0 for the default route). */
  dst: string;
  /** Interface the route leaves by. */
  dev: string;
  /** Next hop, for routes through a gateway. */
  gateway?: string;
}

/** Unicast IPv4 routes of every table (local and broadcast entries left out). */
export async function hostRouteEntries(): Promise<HostRoute[]> {
  const rows = JSON.parse((await ip('-j', '-4', 'route', 'show', 'table', 'all')) || '[]') as {
    type?: string;
    dst: string;
    dev?: string;
    gateway?: string;
  }[];
  return rows
    .filter((r) => (r.type ?? 'unicast') === 'unicast' && r.dev)
    .map((r) => ({
      dst: r.dst === 'default' ? '0.0.0.0/0' : r.dst.includes('/') ? r.dst : `${r.dst}/32`,
      dev: r.dev!,
      gateway: r.gateway,
    }));
}
