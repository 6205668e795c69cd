// The container's own runtime options from create: its kernel parameters (Flotilla's network
// defaults, then the user's namespaced sysctls), its /etc/hosts extras with host-gateway resolved,
// its supplementary groups. Checked at create (an API call skips the CLI) and applied at start.
import {
  checkDnsOption,
  checkDnsSearch,
  checkGroup,
  checkNameserver,
  checkSysctl,
  checkUlimit,
  HOST_GATEWAY,
  parseExtraHost,
} from '../../../shared/engine/index.js';
import { FlotillaError } from '../../../shared/errors/index.js';
import type { ContainerCreateOptions } from '../types.js';
import { parseGroup, readLines, type ResolvedUser } from './user.js';

/** Sysctls every container with its own network namespace gets (Docker's and Podman's). */
const networkDefaults: Record<string, string> = {
  'net.ipv4.ip_unprivileged_port_start': '0',
  'net.ipv4.ping_group_range': '0 2147483647',
};

/** Whether the container shares a network namespace it does not own (host or another container). */
const sharesNetwork = (o: ContainerCreateOptions) =>
  o.network === 'host' || Boolean(o.network?.startsWith('container:'));

/** Refuses a malformed or non-namespaced value before anything is created. */
export function validateRuntimeOptions(o: ContainerCreateOptions): void {
  for (const [k, v] of Object.entries(o.sysctls ?? {})) {
    checkSysctl(k, String(v));
    if (k.startsWith('net.') && sharesNetwork(o))
      throw new FlotillaError('CONTAINER_OPTION_INVALID', {
        option: '--sysctl',
        value: `${k}=${v}`,
        reason: `net.* sysctls need the container's own network namespace, not --network ${o.network}`,
      });
  }
  for (const h of o.extraHosts ?? []) parseExtraHost(h);
  for (const d of o.dns ?? []) checkNameserver(d);
  for (const d of o.dnsSearch ?? []) checkDnsSearch(d);
  for (const d of o.dnsOptions ?? []) checkDnsOption(d);
  for (const g of o.groupAdd ?? []) checkGroup(g);
  for (const u of o.ulimits ?? []) checkUlimit(u);
}

/** linux.sysctl of the OCI spec: the defaults where the namespace is the container's, then the user's. */
export function containerSysctls(
  o: ContainerCreateOptions,
  ownNetns: boolean,
): Record<string, string> | undefined {
  const out: Record<string, string> = ownNetns ? { ...networkDefaults } : {};
  for (const [k, v] of Object.entries(o.sysctls ?? {})) out[k] = String(v);
  return Object.keys(out).length ? out : undefined;
}

/**
 * `name:ip` entries with host-gateway replaced by the container's gateway (on the host's network:
 * the host itself, 127.0.0.1). Without a network there is no gateway to name: refused.
 */
export function resolveExtraHosts(extra: string[] = [], gateway: string | undefined, mode: string) {
  return extra.map((raw) => {
    const e = parseExtraHost(raw);
    const i = e.indexOf(':');
    if (e.slice(i + 1) !== HOST_GATEWAY) return e;
    const gw = gateway ?? (mode === 'host' ? '127.0.0.1' : undefined);
    if (!gw)
      throw new FlotillaError('CONTAINER_OPTION_INVALID', {
        option: '--add-host',
        value: raw,
        reason: `${HOST_GATEWAY} needs a network with a gateway (this container's is ${mode})`,
      });
    return `${e.slice(0, i)}:${gw}`;
  });
}

/** --group-add names and numbers → gids, names read from the image's /etc/group lines. */
export function groupIds(groups: string[] = [], groupLines: string[]): number[] {
  const known = parseGroup(groupLines);
  return groups.map((g) => {
    if (/^\d+$/.test(g)) return Number(g);
    const hit = known.find((x) => x.name === g);
    if (!hit)
      throw new FlotillaError('CONTAINER_USER_NOT_FOUND', {
        what: 'group',
        name: g,
        file: 'group',
      });
    return hit.gid;
  });
}

/** `user` with the --group-add groups added to its supplementary groups. */
export function withGroupAdd(
  user: ResolvedUser,
  groups: string[] | undefined,
  rootfs: string,
): ResolvedUser {
  if (!groups?.length) return user;
  const extra = groupIds(groups, readLines(rootfs, '/etc/group'));
  return { ...user, additionalGids: [...new Set([...user.additionalGids, ...extra])] };
}
