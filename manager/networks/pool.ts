// The cluster's overlay address pool and the choice of a new network's subnet, gateway and VNI.
// The pool is distinct from the node-subnet pool (10.240.0.0/16 by default) and from the agents'
// own bridge pool (10.241.0.0/16), so a task's eth0 and its overlay interfaces never overlap.
// The Network write claims what is chosen (/names/overlay-subnets/, /names/vnis/): a choice another
// manager made meanwhile fails that commit and the choice runs again.
import { FlotillaError } from '../../shared/errors/index.js';
import type { NetworkSpec } from '../../shared/model/index.js';
import {
  contains,
  formatSubnet,
  intToIp,
  ipToInt,
  lastHostOf,
  overlaps,
  parseSubnet,
  subnetSize,
  type Subnet,
} from '../../shared/net/cidr.js';

/** Overlay networks get a /24 each from 10.10.0.0/16 unless --subnet says otherwise. */
export const overlayPool = { cidr: '10.10.0.0/16', subnetPrefixLength: 24 };
/** Subnets no overlay may overlap: the node-subnet pool and the agents' bridge pool (defaults). */
export const reservedPools = ['10.240.0.0/16', '10.241.0.0/16'];
/** VXLAN ids from 4096 up (below is left to other users of VXLAN on the machines, as Docker). */
export const firstVni = 4096;
const lastVni = 0xffffff;

export interface Allocated {
  subnet: string;
  gateway: string;
  vni: number;
}

/**
 * Subnet, gateway and VNI for a new network. `taken`: the subnets of the other networks and the
 * node subnets; `vniTaken`: whether a VNI is held. Throws INVALID_SUBNET / INVALID_GATEWAY /
 * SUBNET_OVERLAP / SUBNET_POOL_EXHAUSTED naming the value.
 */
export function allocateNetwork(
  spec: NetworkSpec,
  taken: readonly { subnet: string; holder: string }[],
  vniTaken: (vni: number) => boolean,
  reserved: readonly string[] = reservedPools,
): Allocated {
  const others = taken.map((t) => ({ s: parseSubnet(t.subnet), holder: t.holder }));
  let subnet: Subnet;
  if (spec.ipam?.subnet) {
    subnet = parseSubnet(spec.ipam.subnet);
    const clash =
      others.find((o) => overlaps(o.s, subnet))?.holder ??
      reserved.find((r) => overlaps(parseSubnet(r), subnet));
    if (clash)
      throw new FlotillaError('SUBNET_OVERLAP', { subnet: spec.ipam.subnet, other: clash });
  } else {
    if (spec.ipam?.gateway)
      throw new FlotillaError('INVALID_GATEWAY', {
        value: spec.ipam.gateway,
        reason: '--gateway needs --subnet',
      });
    subnet = freeSubnet([...others.map((o) => o.s), ...reserved.map((r) => parseSubnet(r))]);
  }
  return {
    subnet: formatSubnet(subnet),
    gateway: gatewayIn(subnet, spec.ipam?.gateway),
    vni: freeVni(vniTaken),
  };
}

function freeSubnet(taken: readonly Subnet[]): Subnet {
  const pool = parseSubnet(overlayPool.cidr);
  const prefix = overlayPool.subnetPrefixLength;
  const step = 2 ** (32 - prefix);
  for (let base = pool.base; base < pool.base + subnetSize(pool); base += step) {
    const s = { base, prefix };
    if (!taken.some((t) => overlaps(t, s))) return s;
  }
  throw new FlotillaError('SUBNET_POOL_EXHAUSTED', { prefix, pool: overlayPool.cidr });
}

function gatewayIn(subnet: Subnet, given?: string): string {
  if (given === undefined) return intToIp(subnet.base + 1);
  const ip = ipToInt(given);
  if (ip === undefined)
    throw new FlotillaError('INVALID_GATEWAY', { value: given, reason: 'not an IPv4 address' });
  if (!contains(subnet, ip) || ip === subnet.base || ip > lastHostOf(subnet))
    throw new FlotillaError('INVALID_GATEWAY', {
      value: given,
      reason: `not a host address of ${formatSubnet(subnet)}`,
    });
  return given;
}

function freeVni(taken: (vni: number) => boolean): number {
  for (let vni = firstVni; vni <= lastVni; vni++) if (!taken(vni)) return vni;
  throw new FlotillaError('INTERNAL', { detail: 'no free VXLAN id' });
}
