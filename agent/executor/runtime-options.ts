// A task's container runtime options (Swarm's ContainerSpec fields) in the engine's create words:
// Swarm's `IP host alias` host lines become Docker's `host:ip` entries, DNSConfig the --dns trio.
import type { ContainerCreateOptions } from '../../shared/engine/index.js';
import type { ContainerSpec } from '../../shared/model/index.js';

export function runtimeCreateOptions(c: ContainerSpec): Partial<ContainerCreateOptions> {
  const o: Partial<ContainerCreateOptions> = {};
  if (c.hosts?.length)
    o.extraHosts = c.hosts.flatMap((line) => {
      const [ip, ...names] = line.trim().split(/\s+/);
      return names.map((n) => `${n}:${ip}`);
    });
  const d = c.dnsConfig;
  if (d?.nameservers?.length) o.dns = d.nameservers;
  if (d?.search?.length) o.dnsSearch = d.search;
  if (d?.options?.length) o.dnsOptions = d.options;
  if (c.sysctls && Object.keys(c.sysctls).length) o.sysctls = c.sysctls;
  if (c.ulimits?.length) o.ulimits = c.ulimits;
  if (c.capabilityAdd?.length) o.capAdd = c.capabilityAdd;
  if (c.capabilityDrop?.length) o.capDrop = c.capabilityDrop;
  if (c.groups?.length) o.groupAdd = c.groups;
  if (c.tty) o.tty = true;
  if (c.openStdin) o.openStdin = true;
  return o;
}
