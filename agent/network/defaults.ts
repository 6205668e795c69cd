// Defaults of the network component, in one place so docs and flags agree.

/**
 * Subnet of the default bridge when `--node-subnet` is not given: the first /24 of the cluster
 * pool 10.240.0.0/16, clear of Docker's 172.17/16 and 172.18/16. A joined agent gets its own /24
 * from the manager instead.
 */
export const defaultNodeSubnet = '10.240.0.0/24';

/** Pool of /24s for user-defined networks created without --subnet (local to the node). */
export const defaultUserSubnetPool = '10.241.0.0/16';
