// Defaults of the network component, in one place so docs and flags agree.
import { createHash } from 'node:crypto';

/**
 * Subnet of the default bridge when `--node-subnet` is not given: the first /24 of the cluster
 * pool 10.240.0.0/16, clear of Docker's 172.17/16 and 172.18/16. A joined agent gets its own /24
 * from the manager instead.
 */
export const defaultNodeSubnet = '10.240.0.0/24';

/** Pool of /24s for user-defined networks created without --subnet (local to the node). */
export const defaultUserSubnetPool = '10.241.0.0/16';

export const defaultDataRootForNames = '/var/lib/flotilla';

/**
 * Kernel object names of one agent. The agent on the default data root uses flt0, `flt-<id12>`
 * and FLOTILLA-*; an agent on another data root (several side by side on one machine) gets names
 * derived from a hash of that root, so neither rewrites the other's chains or bridge.
 */
export function namesFor(dataRoot: string): {
  namePrefix: string;
  bridgeName: string;
  chainPrefix: string;
} {
  if (dataRoot.replace(/\/+$/, '') === defaultDataRootForNames)
    return { namePrefix: 'flt', bridgeName: 'flt0', chainPrefix: 'FLOTILLA' };
  const hash = createHash('sha256').update(dataRoot).digest('hex').slice(0, 3);
  return {
    namePrefix: `f${hash}`,
    bridgeName: `f${hash}0`,
    chainPrefix: `FLOTILLA-${hash.toUpperCase()}`,
  };
}
