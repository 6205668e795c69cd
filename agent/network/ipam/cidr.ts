// IPv4 address and subnet arithmetic: the one implementation in shared/net/cidr.ts, which the
// manager's overlay allocation uses too.
export {
  contains,
  formatSubnet,
  gatewayOf,
  intToIp,
  ipToInt,
  isIpv4,
  mask,
  overlaps,
  parseSubnet,
  subnetSize,
  type Subnet,
} from '../../../shared/net/cidr.js';
