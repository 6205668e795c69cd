// IPv4 address and subnet arithmetic on plain numbers, for the manager (cluster networks). The same
// as agent/network/ipam/cidr.ts, which can re-export this; knows nothing about allocation.
import { FlotillaError } from '../errors/index.js';

export interface Subnet {
  /** Network address as an unsigned 32-bit number. */
  base: number;
  prefix: number;
}

export function ipToInt(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const v = Number(p);
    if (v > 255) return undefined;
    n = n * 256 + v;
  }
  return n;
}

export function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export function isIpv4(ip: string): boolean {
  return ipToInt(ip) !== undefined;
}

/** Parses a CIDR; the address must be the network address (10.0.0.0/24, not 10.0.0.5/24). */
export function parseSubnet(value: string): Subnet {
  const m = /^([\d.]+)\/(\d{1,2})$/.exec(value.trim());
  const base = m ? ipToInt(m[1]) : undefined;
  if (!m || base === undefined)
    throw new FlotillaError('INVALID_SUBNET', { value, reason: 'not an IPv4 CIDR' });
  const prefix = Number(m[2]);
  if (prefix < 8 || prefix > 30)
    throw new FlotillaError('INVALID_SUBNET', { value, reason: 'prefix must be /8 to /30' });
  if ((base & mask(prefix)) >>> 0 !== base)
    throw new FlotillaError('INVALID_SUBNET', {
      value,
      reason: `host bits set; did you mean ${intToIp((base & mask(prefix)) >>> 0)}/${prefix}?`,
    });
  return { base, prefix };
}

export function mask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

export function subnetSize(s: Subnet): number {
  return 2 ** (32 - s.prefix);
}

export function formatSubnet(s: Subnet): string {
  return `${intToIp(s.base)}/${s.prefix}`;
}

export function contains(s: Subnet, ip: number): boolean {
  return (ip & mask(s.prefix)) >>> 0 === s.base;
}

export function overlaps(a: Subnet, b: Subnet): boolean {
  const p = Math.min(a.prefix, b.prefix);
  return (a.base & mask(p)) >>> 0 === (b.base & mask(p)) >>> 0;
}

/** The gateway is the first host address (.1 of a /24). */
export function gatewayOf(s: Subnet): string {
  return intToIp(s.base + 1);
}

/** The last usable host address (the broadcast address is not one). */
export function lastHostOf(s: Subnet): number {
  return s.base + subnetSize(s) - 2;
}
