// The cluster's address pools as `flotilla manager --init` takes them: Docker swarm init's
// --default-addr-pool CIDR (repeatable, or comma separated; the pools are used in order) and
// --default-addr-pool-mask-length N (one for all), checked before anything starts. Stored in the
// cluster settings (ClusterSettings.addressPool); the dispatcher hands node subnets out of them.
import { FlotillaError } from '../shared/errors/index.js';
import { clusterDefaults, type AddressPoolSettings } from './ca/index.js';
import { cidrsOverlap, formatCidr, parseCidr } from './dispatcher/index.js';

export type AddressPoolSetting = AddressPoolSettings;

const defaultAddressPool: AddressPoolSetting = clusterDefaults.addressPool;

const poolFlag = '--default-addr-pool';
const maskFlag = '--default-addr-pool-mask-length';

/**
 * The pools the flags ask for, or undefined when neither flag is given (the default pool).
 * `pools`: each --default-addr-pool given, in order (a value may list several, comma separated).
 * @throws INVALID_FLAG_VALUE naming the flag and the value (for overlapping pools: both).
 */
export function addressPoolFromFlags(opts: {
  pools?: string | readonly string[];
  maskLength?: string | number;
  init: boolean;
}): AddressPoolSetting | undefined {
  const pools = [opts.pools ?? []]
    .flat()
    .flatMap((p) => p.split(','))
    .map((p) => p.trim())
    .filter(Boolean);
  const mask =
    opts.maskLength === undefined || opts.maskLength === '' || opts.maskLength === 0
      ? undefined
      : String(opts.maskLength).trim();
  if (pools.length === 0 && mask === undefined) return undefined;
  const bad = (flag: string, value: string, reason: string) =>
    new FlotillaError('INVALID_FLAG_VALUE', { flag, value, reason });
  if (!opts.init)
    throw bad(
      pools.length ? poolFlag : maskFlag,
      pools[0] ?? mask!,
      'only with --init: the address pool is set when the cluster is created',
    );
  const cidrs = pools.length ? pools : defaultAddressPool.cidrs;
  const parsed = cidrs.map((cidr) => {
    const c = /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\/\d{1,2}$/.test(cidr)
      ? parseCidr(cidr)
      : undefined;
    if (!c) throw bad(poolFlag, cidr, 'not an IPv4 CIDR such as 10.240.0.0/16');
    if (c.prefix < 8 || c.prefix > 30) throw bad(poolFlag, cidr, 'the prefix must be /8 to /30');
    if (c.hostBits) throw bad(poolFlag, cidr, `host bits set; did you mean ${formatCidr(c)}?`);
    return c;
  });
  let length = defaultAddressPool.subnetPrefixLength;
  if (mask !== undefined) {
    if (!/^\d{1,2}$/.test(mask)) throw bad(maskFlag, mask, 'not a prefix length such as 24');
    length = Number(mask);
    if (length > 30)
      throw bad(maskFlag, mask, 'must be at most 30: a node subnet needs a gateway and containers');
  }
  parsed.forEach(({ prefix }, i) => {
    if (length >= prefix) return;
    if (mask !== undefined)
      throw bad(
        maskFlag,
        mask,
        `must be at least the pool's prefix length ${prefix}: a node subnet cannot be larger than the pool ${cidrs[i]}`,
      );
    throw bad(
      poolFlag,
      cidrs[i],
      `the pool is smaller than one /${length} node subnet; give ${maskFlag} ${prefix} to 30`,
    );
  });
  for (let i = 0; i < parsed.length; i++)
    for (let j = 0; j < i; j++)
      if (cidrsOverlap(parsed[i], parsed[j]))
        throw bad(
          poolFlag,
          cidrs[i],
          `overlaps the pool ${cidrs[j]}: the pools must not share addresses`,
        );
  return { cidrs: [...cidrs], subnetPrefixLength: length };
}
