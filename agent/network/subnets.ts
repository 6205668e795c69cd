// Which subnets a network may take: not one of ours, not one the host already routes. User
// networks get the first free /24 of the pool; the node subnet must not be routed on an
// interface other than our own bridge (another agent's bridge left on the same subnet made
// published ports time out).
import { FlotillaError } from '../../shared/errors/index.js';
import { hostRouteEntries, hostRoutes, type HostRoute } from './host/links.js';
import {
  formatSubnet,
  ipToInt,
  mask,
  overlaps,
  parseSubnet,
  subnetSize,
  type Subnet,
} from './ipam/cidr.js';
import type { NetworkRecord } from './state.js';

/** `value` normalised, unless it overlaps `taken` or a host route. @throws INVALID_SUBNET, SUBNET_OVERLAP */
export async function checkSubnet(value: string, taken: NetworkRecord[]): Promise<string> {
  const s = parseSubnet(value);
  const subnet = formatSubnet(s);
  for (const n of taken)
    if (overlaps(s, parseSubnet(n.subnet)))
      throw new FlotillaError('SUBNET_OVERLAP', {
        subnet,
        other: `network ${n.name} (${n.subnet})`,
      });
  for (const r of await hostRoutes()) {
    if (r === '0.0.0.0/0' || r.endsWith('/32')) continue;
    const rs = safeSubnet(r);
    if (rs && overlaps(s, rs))
      throw new FlotillaError('SUBNET_OVERLAP', { subnet, other: `a host route to ${r}` });
  }
  return subnet;
}

/** The first /24 (or the pool's prefix, if longer) of `pool` that checkSubnet accepts. */
export async function pickSubnet(pool: string, taken: NetworkRecord[]): Promise<string> {
  const p = parseSubnet(pool);
  const prefix = Math.max(24, p.prefix);
  const step = 2 ** (32 - prefix);
  for (let base = p.base; base < p.base + subnetSize(p); base += step) {
    try {
      return await checkSubnet(formatSubnet({ base, prefix }), taken);
    } catch (err) {
      if ((err as FlotillaError).code !== 'SUBNET_OVERLAP') throw err;
    }
  }
  throw new FlotillaError('SUBNET_POOL_EXHAUSTED', { prefix, pool: formatSubnet(p) });
}

/**
 * Refuses a node subnet that a route on another interface covers (a connected route of another
 * bridge or interface, or any route to part of it). Wider routes through a gateway (a VPN's
 * 10.0.0.0/8) and the default route are left alone: ours is more specific and wins for these
 * addresses, by the operator's choice. `ownDev` is this agent's bridge; `ignore` our peer routes.
 * @throws NODE_SUBNET_IN_USE
 */
export async function assertNodeSubnetFree(
  subnet: string,
  ownDev: string,
  ignore: string[] = [],
): Promise<void> {
  const clash = nodeSubnetClash(subnet, ownDev, await hostRouteEntries(), ignore);
  if (clash)
    throw new FlotillaError('NODE_SUBNET_IN_USE', {
      subnet: formatSubnet(parseSubnet(subnet)),
      dev: clash.dev,
      route: clash.dst,
    });
}

/** The first of `routes` that makes `subnet` unusable as this agent's node subnet (see above). */
export function nodeSubnetClash(
  subnet: string,
  ownDev: string,
  routes: HostRoute[],
  ignore: string[] = [],
): HostRoute | undefined {
  const s = parseSubnet(subnet);
  return routes.find((r) => {
    if (r.dev === ownDev || r.dst === '0.0.0.0/0' || ignore.includes(r.dst)) return false;
    const rs = routeSubnet(r.dst);
    if (!rs || !overlaps(s, rs)) return false;
    return !(rs.prefix < s.prefix && r.gateway);
  });
}

/**
 * Splits peer routes into those that may be installed and those overlapping this node's own
 * subnet. `ip route replace` of an overlapping one takes the place of the bridge's connected route
 * and cuts the node's containers off: the manager sends one when this machine rejoined as a new
 * node (an expired certificate) and the old node, same address and subnet, is still listed.
 */
export function splitPeerRoutes<T extends { subnet: string }>(
  nodeSubnet: string,
  routes: readonly T[],
): { routable: T[]; overlapping: T[] } {
  const own = routeSubnet(nodeSubnet);
  const routable: T[] = [];
  const overlapping: T[] = [];
  for (const r of routes) {
    const rs = routeSubnet(r.subnet);
    (own && rs && overlaps(own, rs) ? overlapping : routable).push(r);
  }
  return { routable, overlapping };
}

/** Any route destination, /0 to /32 (parseSubnet takes network prefixes only). */
function routeSubnet(dst: string): Subnet | undefined {
  const [ip, p] = dst.split('/');
  const n = ipToInt(ip);
  const prefix = Number(p ?? 32);
  if (n === undefined || !(prefix >= 0 && prefix <= 32)) return undefined;
  return { base: (n & mask(prefix)) >>> 0, prefix };
}

function safeSubnet(r: string) {
  try {
    const [ip, p] = r.split('/');
    const prefix = Number(p);
    if (prefix < 8) return undefined;
    return parseSubnet(`${ip}/${prefix}`);
  } catch {
    return undefined;
  }
}
