// Docker's NetworkCreate body → NetworkCreateOptions. Local networks here are bridges with one
// IPv4 subnet whose gateway is its first address; anything else that is set is refused by name.
import type { NetworkCreateOptions } from '../../../shared/engine/index.js';
import { gatewayOf, parseSubnet } from '../../../shared/net/cidr.js';
import { isSet, refuse } from './body-fields.js';

type Doc = Record<string, unknown>;

const fields = new Set([
  'Name',
  'CheckDuplicate',
  'Driver',
  'Scope',
  'Attachable',
  'IPAM',
  'Labels',
  'Internal',
  'EnableIPv6',
  'EnableIPv4',
  'Ingress',
  'ConfigOnly',
  'ConfigFrom',
  'Options',
]);

/** IPAM: the default driver, at most one Config entry with Subnet (and the gateway it implies). */
function subnetOf(ipam: Doc | undefined): string | undefined {
  if (!ipam) return undefined;
  for (const k of Object.keys(ipam))
    if (!['Driver', 'Config', 'Options'].includes(k) && isSet(ipam[k])) refuse(`IPAM.${k}`);
  if (ipam.Driver && ipam.Driver !== 'default') refuse(`IPAM.Driver ${String(ipam.Driver)}`);
  if (isSet(ipam.Options)) refuse('IPAM.Options');
  const config = (ipam.Config ?? []) as Doc[];
  if (!Array.isArray(config)) refuse('IPAM.Config', 'must be a list');
  if (config.length > 1) refuse('IPAM.Config', 'has more than one entry (one IPv4 subnet is)');
  const c = config[0];
  if (!c) return undefined;
  for (const k of Object.keys(c))
    if (!['Subnet', 'Gateway'].includes(k) && isSet(c[k])) refuse(`IPAM.Config[0].${k}`);
  const subnet = c.Subnet as string | undefined;
  if (!subnet && c.Gateway) refuse('IPAM.Config[0].Gateway', 'needs a Subnet');
  if (subnet && c.Gateway) {
    const gw = gatewayOf(parseSubnet(subnet));
    if (c.Gateway !== gw)
      refuse(
        `IPAM.Config[0].Gateway ${String(c.Gateway)}`,
        `is not supported: the gateway of ${subnet} is its first address, ${gw}`,
      );
  }
  return subnet || undefined;
}

export function createNetworkOptions(b: Doc): NetworkCreateOptions {
  for (const k of Object.keys(b)) if (!fields.has(k) && isSet(b[k])) refuse(k);
  if (b.Driver && b.Driver !== 'bridge')
    refuse(`Driver ${String(b.Driver)}`, 'is not supported (local networks are bridge networks)');
  if (b.Scope && b.Scope !== 'local') refuse(`Scope ${String(b.Scope)}`, 'is not supported');
  if (b.Internal) refuse('Internal');
  if (b.EnableIPv6) refuse('EnableIPv6', 'is not supported: Flotilla networks have no IPv6');
  if (b.EnableIPv4 === false) refuse('EnableIPv4 false', 'is not supported');
  for (const k of ['Ingress', 'ConfigOnly', 'ConfigFrom']) if (isSet(b[k])) refuse(k);
  for (const [k, v] of Object.entries((b.Options ?? {}) as Doc))
    if (isSet(v)) refuse(`Options ${k}`);
  if (isSet(b.Labels) && typeof b.Labels !== 'object') refuse('Labels', 'must be an object');
  return {
    name: typeof b.Name === 'string' ? b.Name : '',
    subnet: subnetOf(b.IPAM as Doc | undefined),
    labels: (b.Labels as Record<string, string> | null) ?? undefined,
    ...(b.Attachable ? { attachable: true } : {}),
  };
}
