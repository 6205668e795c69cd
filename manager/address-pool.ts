// The cluster's address pool as `flotilla manager --init` takes it: Docker swarm init's
// --default-addr-pool CIDR and --default-addr-pool-mask-length N, checked before anything starts.
// Stored in the cluster settings (ClusterSettings.addressPool); the dispatcher hands node subnets
// out of it.
import { FlotillaError } from '../shared/errors/index.js';
import { clusterDefaults, type ClusterSettings } from './ca/index.js';

export type AddressPoolSetting = ClusterSettings['addressPool'];

const defaultAddressPool: AddressPoolSetting = clusterDefaults.addressPool;

const poolFlag = '--default-addr-pool';
const maskFlag = '--default-addr-pool-mask-length';

/**
 * The pool the flags ask for, or undefined when neither is given (the default pool).
 * @throws INVALID_FLAG_VALUE naming the flag and the value.
 */
export function addressPoolFromFlags(opts: {
  pool?: string;
  maskLength?: string | number;
  init: boolean;
}): AddressPoolSetting | undefined {
  const pool = opts.pool?.trim() || undefined;
  const mask =
    opts.maskLength === undefined || opts.maskLength === '' || opts.maskLength === 0
      ? undefined
      : String(opts.maskLength).trim();
  if (pool === undefined && mask === undefined) return undefined;
  const bad = (flag: string, value: string, reason: string) =>
    new FlotillaError('INVALID_FLAG_VALUE', { flag, value, reason });
  if (!opts.init)
    throw bad(
      pool !== undefined ? poolFlag : maskFlag,
      (pool ?? mask)!,
      'only with --init: the address pool is set when the cluster is created',
    );
  const cidr = pool ?? defaultAddressPool.cidr;
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  const octets = m ? m.slice(1, 5).map(Number) : [];
  if (!m || octets.some((o) => o > 255))
    throw bad(poolFlag, cidr, 'not an IPv4 CIDR such as 10.240.0.0/16');
  const prefix = Number(m[5]);
  if (prefix < 8 || prefix > 30) throw bad(poolFlag, cidr, 'the prefix must be /8 to /30');
  const addr = ((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) >>> 0;
  const base = (addr & (0xffffffff << (32 - prefix))) >>> 0;
  if (base !== addr) {
    const ip = [base >>> 24, (base >>> 16) & 255, (base >>> 8) & 255, base & 255].join('.');
    throw bad(poolFlag, cidr, `host bits set; did you mean ${ip}/${prefix}?`);
  }
  let length = defaultAddressPool.subnetPrefixLength;
  if (mask !== undefined) {
    if (!/^\d{1,2}$/.test(mask)) throw bad(maskFlag, mask, 'not a prefix length such as 24');
    length = Number(mask);
    if (length < prefix)
      throw bad(
        maskFlag,
        mask,
        `must be at least the pool's prefix length ${prefix}: a node subnet cannot be larger than the pool ${cidr}`,
      );
    if (length > 30)
      throw bad(maskFlag, mask, 'must be at most 30: a node subnet needs a gateway and containers');
  } else if (length < prefix) {
    throw bad(
      poolFlag,
      cidr,
      `the pool is smaller than one /${length} node subnet; give ${maskFlag} ${prefix} to 30`,
    );
  }
  return { cidr, subnetPrefixLength: length };
}
