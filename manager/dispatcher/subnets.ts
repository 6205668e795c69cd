// Hands each node its own container subnet (a /24 by default) from the cluster address pools, the
// first pool until it is full, then the next. Pure IPv4 arithmetic over the subnets the dispatcher
// knows are taken (claims and nodes' recorded subnets, from the cache); the Node write claims the
// result (/names/subnets/<cidr>), so a subnet another manager handed out meanwhile makes that
// commit fail and the choice run again.

/** The cluster's pools in order (ClusterSettings.addressPool), one subnet size for all. */
export interface AddressPool {
  cidrs: readonly string[];
  subnetPrefixLength: number;
}

export const defaultAddressPool: AddressPool = {
  cidrs: ['10.240.0.0/16'],
  subnetPrefixLength: 24,
};

interface Cidr {
  base: number;
  prefix: number;
  /** The address had bits set past the prefix (base is masked). */
  hostBits?: boolean;
}

export function parseCidr(cidr: string): Cidr | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(cidr.trim());
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return undefined;
  const addr = ((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) >>> 0;
  const base = (addr & mask(prefix)) >>> 0;
  return { base, prefix, hostBits: base !== addr };
}

export function formatCidr(c: Cidr): string {
  const b = c.base;
  return `${b >>> 24}.${(b >>> 16) & 255}.${(b >>> 8) & 255}.${b & 255}/${c.prefix}`;
}

function mask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  const p = Math.min(a.prefix, b.prefix);
  return (a.base & mask(p)) >>> 0 === (b.base & mask(p)) >>> 0;
}

/**
 * The subnet a node should have. `requested` (the agent's --node-subnet or the subnet its
 * containers already use) wins when it clashes with no other node; then the node keeps what it
 * has; otherwise the first free subnet of the first pool that has one. Undefined when every pool
 * is exhausted.
 */
export function chooseSubnet(opts: {
  pool: AddressPool;
  current?: string;
  requested?: string;
  /** Other nodes' subnets. */
  taken: Iterable<string>;
  /**
   * Pick at random among the first `spread` free subnets (in pool order) instead of the first
   * one: after a conflict, so that two managers racing for the next free subnet stop colliding.
   */
  spread?: number;
  random?: () => number;
}): string | undefined {
  const parsed = opts.pool.cidrs.map(parseCidr).filter((c): c is Cidr => c !== undefined);
  const pools = parsed.length ? parsed : defaultAddressPool.cidrs.map((c) => parseCidr(c)!);
  // Checked at --init (each pool at least one subnet); a stored pool smaller than the subnet
  // size gives one subnet of its own size rather than one outside the pool.
  const len = opts.pool.subnetPrefixLength || 24;
  // Pool-sized subnets are looked up by address; others (requested ones) are checked for overlap.
  const sameSize = new Set<number>();
  const otherSize: Cidr[] = [];
  for (const t of opts.taken) {
    const c = parseCidr(t);
    if (c?.prefix === len) sameSize.add(c.base);
    else if (c) otherSize.push(c);
  }
  const free = (c: Cidr) =>
    !(c.prefix === len
      ? sameSize.has(c.base)
      : [...sameSize].some((b) => cidrsOverlap({ base: b, prefix: len }, c))) &&
    !otherSize.some((t) => cidrsOverlap(t, c));
  for (const want of [opts.requested, opts.current]) {
    const c = want ? parseCidr(want) : undefined;
    if (c && free(c)) return formatCidr(c);
  }
  const spread = Math.max(1, opts.spread ?? 1);
  const found: Cidr[] = [];
  for (const pool of pools) {
    const size = Math.max(pool.prefix, len);
    const count = 2 ** (size - pool.prefix);
    const step = 2 ** (32 - size);
    for (let i = 0; i < count && found.length < spread; i++) {
      const c = { base: (pool.base + i * step) >>> 0, prefix: size };
      if (free(c)) found.push(c);
    }
  }
  if (found.length === 0) return undefined;
  return formatCidr(found[Math.floor((opts.random ?? Math.random)() * found.length)]);
}
