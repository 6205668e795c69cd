// Hands each node its own container subnet (a /24 by default) from the cluster address pool. Pure
// IPv4 arithmetic; the dispatcher calls it inside the store transaction that writes the Node, so
// the choice is checked against every other node's recorded subnet at commit time.

export interface AddressPool {
  cidr: string;
  subnetPrefixLength: number;
}

export const defaultAddressPool: AddressPool = { cidr: '10.240.0.0/16', subnetPrefixLength: 24 };

interface Cidr {
  base: number;
  prefix: number;
}

export function parseCidr(cidr: string): Cidr | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(cidr.trim());
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return undefined;
  const addr = ((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) >>> 0;
  return { base: (addr & mask(prefix)) >>> 0, prefix };
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
 * has; otherwise the first free subnet of the pool. Undefined when the pool is exhausted.
 */
export function chooseSubnet(opts: {
  pool: AddressPool;
  current?: string;
  requested?: string;
  /** Other nodes' subnets. */
  taken: readonly string[];
}): string | undefined {
  const taken = opts.taken.map(parseCidr).filter((c): c is Cidr => !!c);
  const free = (c: Cidr) => !taken.some((t) => cidrsOverlap(t, c));
  for (const want of [opts.requested, opts.current]) {
    const c = want ? parseCidr(want) : undefined;
    if (c && free(c)) return formatCidr(c);
  }
  const pool = parseCidr(opts.pool.cidr) ?? parseCidr(defaultAddressPool.cidr)!;
  const len = Math.max(pool.prefix, opts.pool.subnetPrefixLength || 24);
  const count = 2 ** (len - pool.prefix);
  const step = 2 ** (32 - len);
  for (let i = 0; i < count; i++) {
    const c = { base: (pool.base + i * step) >>> 0, prefix: len };
    if (free(c)) return formatCidr(c);
  }
  return undefined;
}
