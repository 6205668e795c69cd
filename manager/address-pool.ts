// The cluster's address pool as `flotilla manager --init` takes it: Docker swarm init's
// --default-addr-pool CIDR and --default-addr-pool-mask-length N, checked before anything starts.
// Stored in the cluster settings (ClusterSettings.addressPool); the dispatcher hands node subnets
// out of it.
import { FlotillaError } from '../shared/errors/index.js';
import { clusterDefaults, type ClusterSettings } from './ca/index.js';
import { formatCidr, parseCidr } from './dispatcher/subnets.js';

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
  const c = /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\/\d{1,2}$/.test(cidr)
    ? parseCidr(cidr)
    : undefined;
  if (!c) throw bad(poolFlag, cidr, 'not an IPv4 CIDR such as 10.240.0.0/16');
  const prefix = c.prefix;
  if (prefix < 8 || prefix > 30) throw bad(poolFlag, cidr, 'the prefix must be /8 to /30');
  if (c.hostBits) throw bad(poolFlag, cidr, `host bits set; did you mean ${formatCidr(c)}?`);
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
