// The create options that place a container among others rather than shape its process: --ip (an
// address on a user-defined network), --platform (the image must be of it), --volumes-from (the
// mounts of another container). Checked at create, for the CLI's route and Docker's alike.
import { FlotillaError } from '../../../shared/errors/index.js';
import { contains, ipToInt, parseSubnet, subnetSize } from '../../../shared/net/cidr.js';
import { formatPlatform, parsePlatform } from '../../image/index.js';
import type { RuntimeImage } from '../images/source.js';
import type { NetworkAttacher } from '../../network/index.js';
import type { ContainerCreateOptions } from '../types.js';
import type { ContainerRecord, ResolvedMount } from './record.js';

const bad = (option: string, value: string, reason: string) =>
  new FlotillaError('CONTAINER_OPTION_INVALID', { option, value, reason });

/**
 * --ip: Docker's rules: a user-defined network only (not bridge/host/none), an address inside its
 * subnet that is neither the network, the gateway nor the broadcast address. Whether another
 * container holds it is decided when the address is claimed, at start (as Docker does).
 */
export function checkRequestedIp(
  o: ContainerCreateOptions,
  network?: Pick<NetworkAttacher, 'inspectNetwork'>,
): void {
  const ip = o.ipv4Address;
  if (ip === undefined) return;
  const n = ipToInt(ip);
  if (n === undefined) throw bad('--ip', ip, 'not an IPv4 address');
  const net = o.network;
  if (!net || ['bridge', 'default', 'host', 'none'].includes(net) || net.startsWith('container:'))
    throw new FlotillaError('IP_NEEDS_USER_NETWORK', {});
  const info = network?.inspectNetwork?.(net);
  if (!info?.subnet) throw new FlotillaError('IP_NEEDS_USER_NETWORK', {});
  const s = parseSubnet(info.subnet);
  if (!contains(s, n))
    throw bad('--ip', ip, `not in the subnet ${info.subnet} of network ${info.name}`);
  const reserved = [s.base, s.base + subnetSize(s) - 1, ipToInt(info.gateway ?? '')];
  if (reserved.includes(n))
    throw bad(
      '--ip',
      ip,
      `the network, gateway and broadcast addresses of ${info.subnet} are reserved`,
    );
}

/**
 * `run --network a --network b`: the further networks are local networks of this agent (user-
 * defined or the default bridge), each once, beside a first network that gives the container a
 * namespace of its own (Docker refuses host, none and container: among several, as here).
 */
export function checkExtraNetworks(o: ContainerCreateOptions, network?: NetworkAttacher): void {
  const extra = o.extraNetworks ?? [];
  if (!extra.length) return;
  const all = [o.network || 'bridge', ...extra.map((x) => x.network)];
  const shared = all.filter((n) => ['host', 'none'].includes(n) || n.startsWith('container:'));
  if (shared.length)
    throw bad(
      '--network',
      all.join(','),
      `container cannot be connected to network endpoints: ${all.join(', ')} (${shared.join(', ')} cannot be combined with other networks)`,
    );
  const seen = new Set<string>();
  for (const x of extra) {
    const info = network?.inspectNetwork?.(x.network);
    const name = info?.name ?? x.network;
    if (seen.has(name) || name === (o.network || 'bridge'))
      throw bad('--network', x.network, 'the container is connected to this network twice');
    seen.add(name);
    checkRequestedIp({ ...o, network: x.network, ipv4Address: x.ipv4Address }, network);
  }
}

/** --platform: the local image must be of the platform asked for (the variant only when asked). */
export function checkPlatform(o: ContainerCreateOptions, image: RuntimeImage): void {
  if (!o.platform) return;
  const want = parsePlatform(o.platform);
  if (!want) throw bad('--platform', o.platform, 'expected os/arch[/variant], e.g. linux/amd64');
  const have = image.platform && parsePlatform(formatPlatform(image.platform));
  // An image whose config names no platform (scratch-built by hand) matches any.
  if (!have) return;
  const same =
    have.os === want.os &&
    have.architecture === want.architecture &&
    (!want.variant || !have.variant || have.variant === want.variant);
  if (!same)
    throw new FlotillaError('IMAGE_PLATFORM_MISMATCH', {
      ref: o.image,
      wanted: formatPlatform(want),
      actual: formatPlatform(have),
    });
}

/** `CONTAINER[:ro|:rw]` → the container and the mode to force (undefined: keep each mount's). */
export function parseVolumesFrom(spec: string): { ref: string; rw?: boolean } {
  const i = spec.lastIndexOf(':');
  const [ref, mode] = i < 0 ? [spec, undefined] : [spec.slice(0, i), spec.slice(i + 1)];
  if (!ref) throw bad('--volumes-from', spec, 'expected CONTAINER[:ro|:rw]');
  if (mode !== undefined && mode !== 'ro' && mode !== 'rw')
    throw bad('--volumes-from', spec, `unknown mode "${mode}" (use ro or rw)`);
  return { ref, ...(mode ? { rw: mode === 'rw' } : {}) };
}

/**
 * The volumes and binds of each --volumes-from container (tmpfs mounts are its own, as Docker's).
 * The copies are never anonymous here: `rm -v` of this container leaves the other's volumes.
 */
export function inheritedMounts(
  o: ContainerCreateOptions,
  get: (ref: string) => ContainerRecord,
): ResolvedMount[] {
  const out = new Map<string, ResolvedMount>();
  for (const spec of o.volumesFrom ?? []) {
    const { ref, rw } = parseVolumesFrom(spec);
    for (const m of get(ref).mounts) {
      if (m.Type === 'tmpfs') continue;
      const { Anonymous: _anonymous, ...copy } = m;
      out.set(m.Destination, { ...copy, RW: rw ?? m.RW });
    }
  }
  return [...out.values()];
}
