// Docker's create-body forms of the placement options (agent/runtime/container/placement.ts checks
// them): HostConfig.VolumesFrom, an endpoint's IPAMConfig (--ip; --ip6 refused: no IPv6 here)
// and the `platform` query parameter.
import { refuse } from './body-fields.js';

type Doc = Record<string, unknown>;

/** HostConfig.VolumesFrom: `["ctr", "other:ro"]`. */
export function volumesFromField(v: unknown): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string'))
    refuse('HostConfig.VolumesFrom', 'must be a list of strings');
  return (v as string[]).length ? (v as string[]) : undefined;
}

/** EndpointsConfig[net].IPAMConfig: the IPv4 address asked for; IPv6 and link-local refused. */
export function ipamAddress(network: string, ep: Doc | undefined): string | undefined {
  const ipam = ep?.IPAMConfig as Doc | undefined | null;
  if (!ipam) return undefined;
  const field = `NetworkingConfig.EndpointsConfig.${network}.IPAMConfig`;
  for (const k of Object.keys(ipam)) {
    const val = ipam[k];
    const empty =
      val === undefined || val === null || val === '' || (Array.isArray(val) && !val.length);
    if (k === 'IPv4Address' || empty) continue;
    refuse(
      `${field}.${k}`,
      k === 'IPv6Address'
        ? 'is not supported: Flotilla networks have no IPv6'
        : 'is not supported by Flotilla',
    );
  }
  const ip = ipam.IPv4Address;
  if (ip !== undefined && typeof ip !== 'string')
    refuse(`${field}.IPv4Address`, 'must be a string');
  return (ip as string | undefined) || undefined;
}
