// The parts of a service's container spec that shape the container's runtime (names as Swarm's
// ContainerSpec): hosts, DNS, sysctls, ulimits, capabilities, groups, TTY. The agent's executor
// turns them into engine create options; shared/engine/runtime-options.ts checks each value.

/** A setrlimit(2) resource by Docker's name (`nofile`), soft and hard. */
export interface Ulimit {
  name: string;
  soft: number;
  hard: number;
}

export interface DnsConfig {
  nameservers?: string[];
  search?: string[];
  options?: string[];
}

export interface ContainerRuntimeOptions {
  /** Extra /etc/hosts entries, Swarm's form: `IP hostname [alias...]` (IP may be host-gateway). */
  hosts?: string[];
  dnsConfig?: DnsConfig;
  /** Namespaced kernel parameters only (net.*, fs.mqueue.*, kernel IPC ones). */
  sysctls?: Record<string, string>;
  ulimits?: Ulimit[];
  /** Capability names as Docker canonicalises them (CAP_NET_ADMIN, or ALL). */
  capabilityAdd?: string[];
  capabilityDrop?: string[];
  /** Supplementary groups, by name (from the image's /etc/group) or number. */
  groups?: string[];
  tty?: boolean;
  openStdin?: boolean;
}
