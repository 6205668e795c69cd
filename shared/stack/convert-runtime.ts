// The runtime keys of a normalised stack service as Swarm's ContainerSpec fields, the way docker's
// stack convert does: extra_hosts → hosts (`IP host`), dns* → dnsConfig, sysctls, ulimits,
// cap_add/cap_drop, group_add, tty, stdin_open. Values were checked by normalize-runtime.ts.
import { checkCapability, parseExtraHost } from '../engine/index.js';
import type { ContainerRuntimeOptions, DnsConfig, Mount } from '../model/index.js';
import type { Dict } from './compose-types.js';

const list = (v: unknown): string[] | undefined =>
  Array.isArray(v) && v.length ? v.map(String) : undefined;

export function runtimeOptionsOf(s: Dict): ContainerRuntimeOptions {
  const out: ContainerRuntimeOptions = {};
  const hosts = list(s.extra_hosts)?.map((h) => {
    const e = parseExtraHost(h, 'extra_hosts');
    const i = e.indexOf(':');
    return `${e.slice(i + 1)} ${e.slice(0, i)}`;
  });
  if (hosts) out.hosts = hosts;
  const dns: DnsConfig = {};
  const nameservers = list(s.dns);
  const search = list(s.dns_search);
  const options = list(s.dns_opt);
  if (nameservers) dns.nameservers = nameservers;
  if (search) dns.search = search;
  if (options) dns.options = options;
  if (Object.keys(dns).length) out.dnsConfig = dns;
  const sysctls = s.sysctls as Record<string, string> | undefined;
  if (sysctls && Object.keys(sysctls).length) out.sysctls = { ...sysctls };
  const ulimits = s.ulimits as Dict | undefined;
  if (ulimits && Object.keys(ulimits).length)
    out.ulimits = Object.entries(ulimits).map(([name, v]) =>
      typeof v === 'number'
        ? { name, soft: v, hard: v }
        : { name, soft: Number((v as Dict).soft), hard: Number((v as Dict).hard) },
    );
  const capAdd = list(s.cap_add)?.map((c) => checkCapability(c, 'cap_add'));
  const capDrop = list(s.cap_drop)?.map((c) => checkCapability(c, 'cap_drop'));
  if (capAdd) out.capabilityAdd = capAdd;
  if (capDrop) out.capabilityDrop = capDrop;
  const groups = list(s.group_add);
  if (groups) out.groups = groups;
  if (s.tty === true) out.tty = true;
  if (s.stdin_open === true) out.openStdin = true;
  return out;
}

/** A long-syntax volume's `volume.nocopy` and `bind.propagation` on its mount. */
export function mountOptionsOf(v: Dict, m: Mount): void {
  if (m.type === 'volume' && (v.volume as Dict | undefined)?.nocopy === true) m.noCopy = true;
  const propagation = (v.bind as Dict | undefined)?.propagation;
  if (m.type === 'bind' && typeof propagation === 'string')
    m.propagation = propagation as Mount['propagation'];
}
