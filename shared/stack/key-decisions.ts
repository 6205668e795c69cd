// What Flotilla does with every key a stack file may hold: honoured (and by whom), warned (ignored
// with one "Ignoring unsupported options: KEY" line), deprecated (docker's reason) or refused.
// The one place these decisions live: key-rules.ts applies them, the stack page's table is
// rendered from them, and key-decisions.test.ts fails when schema.ts gains a key without one.

/**
 * A key path: the section (`services`, `networks`, `volumes`, `secrets`, `configs`) then the keys
 * below one entry, with list items and user-chosen names left out: `services.deploy.replicas`,
 * `services.volumes.bind.propagation`, `services.networks.aliases`, `volumes.driver`.
 */
export type KeyPath = string;

export type KeyDecision =
  /** Converted and acted on; `by` names the code that does it. */
  | { status: 'honoured'; by: string; only?: ValueRule }
  /** Ignored, named in one warning line; `why` is added to the line when docker gives none. */
  | { status: 'warned'; why?: string }
  /** Ignored with docker's deprecation reason. */
  | { status: 'deprecated'; why: string }
  /** The stack is refused: running without the key would change what the application does. */
  | { status: 'refused'; why: string };

/** Some values of an honoured key are not: those are warned or refused with `why`. */
export interface ValueRule {
  values: string[];
  otherwise: 'warned' | 'refused';
  why: string;
}

// Owners. Keys marked with a helper's area are honoured on its branch (the lead merges them):
//   compose-runtime: extra_hosts, sysctls, ulimits, caps, dns*, tty, stdin_open, group_add,
//                    init, start_interval, stop_grace_period, limits.pids, nocopy, propagation
//   secrets: secrets, configs;  overlay: networks (aliases, endpoint_mode);  logdrivers: logging
const CONVERT = 'shared/stack/convert.ts';
const RUNTIME = 'compose-runtime (container spec → OCI bundle)';
const SECRETS = 'secrets (manager store, per-task tmpfs)';
const OVERLAY = 'overlay networks (manager)';
const LOGGING = 'logdrivers (agent log drivers)';

const honoured = (by: string, only?: ValueRule): KeyDecision => ({ status: 'honoured', by, only });
const warned = (why?: string): KeyDecision => ({ status: 'warned', why });
const refused = (why: string): KeyDecision => ({ status: 'refused', why });
const deprecated = (why: string): KeyDecision => ({ status: 'deprecated', why });
const resources = 'set resource limits using deploy.resources';

/** The decisions, keyed by KeyPath. Order is the order of the stack page's table. */
export const keyDecisions: Record<KeyPath, KeyDecision> = {
  'services.image': honoured(CONVERT),
  'services.command': honoured(CONVERT),
  'services.entrypoint': honoured(CONVERT),
  'services.environment': honoured(CONVERT),
  'services.env_file': honoured('shared/stack/normalize-environment.ts'),
  'services.labels': honoured(CONVERT),
  'services.working_dir': honoured(CONVERT),
  'services.user': honoured(CONVERT),
  'services.hostname': honoured(CONVERT),
  'services.read_only': honoured(CONVERT),
  'services.stop_signal': honoured(CONVERT),
  'services.stop_grace_period': honoured(RUNTIME),
  'services.init': honoured(RUNTIME),
  'services.tmpfs': honoured(CONVERT),
  'services.healthcheck': honoured(CONVERT),
  'services.healthcheck.test': honoured(CONVERT),
  'services.healthcheck.interval': honoured(CONVERT),
  'services.healthcheck.timeout': honoured(CONVERT),
  'services.healthcheck.retries': honoured(CONVERT),
  'services.healthcheck.start_period': honoured(CONVERT),
  'services.healthcheck.start_interval': honoured(RUNTIME),
  'services.healthcheck.disable': honoured(CONVERT),
  'services.ports': honoured(CONVERT),
  'services.ports.target': honoured(CONVERT),
  'services.ports.published': honoured('manager ingress (assigns one when unset)'),
  'services.ports.protocol': honoured(CONVERT),
  'services.ports.mode': honoured(CONVERT),
  'services.volumes': honoured(CONVERT),
  'services.volumes.type': honoured(CONVERT, {
    values: ['bind', 'volume', 'tmpfs'],
    otherwise: 'refused',
    why: 'only bind, volume and tmpfs mounts are supported',
  }),
  'services.volumes.source': honoured(CONVERT),
  'services.volumes.target': honoured(CONVERT),
  'services.volumes.read_only': honoured(CONVERT),
  'services.volumes.consistency': warned('it only matters to Docker Desktop file sharing'),
  'services.volumes.bind': honoured(RUNTIME),
  'services.volumes.bind.propagation': honoured(RUNTIME),
  'services.volumes.volume': honoured(RUNTIME),
  'services.volumes.volume.nocopy': honoured(RUNTIME),
  'services.volumes.tmpfs': honoured(CONVERT),
  'services.volumes.tmpfs.size': honoured(CONVERT),
  'services.cap_add': honoured(RUNTIME),
  'services.cap_drop': honoured(RUNTIME),
  'services.dns': honoured(RUNTIME),
  'services.dns_search': honoured(RUNTIME),
  // Not in docker's 3.13 schema (the compose spec has it); schema.ts takes it, like --dns-option.
  'services.dns_opt': honoured(RUNTIME),
  'services.extra_hosts': honoured(RUNTIME),
  'services.group_add': honoured(RUNTIME),
  'services.sysctls': honoured(RUNTIME),
  'services.ulimits': honoured(RUNTIME),
  'services.ulimits.soft': honoured(RUNTIME),
  'services.ulimits.hard': honoured(RUNTIME),
  'services.tty': honoured(RUNTIME),
  'services.stdin_open': honoured(RUNTIME),
  'services.logging': honoured(LOGGING),
  'services.logging.driver': honoured(LOGGING),
  'services.logging.options': honoured(LOGGING),
  'services.secrets': honoured(SECRETS),
  'services.secrets.source': honoured(SECRETS),
  'services.secrets.target': honoured(SECRETS),
  'services.secrets.uid': honoured(SECRETS),
  'services.secrets.gid': honoured(SECRETS),
  'services.secrets.mode': honoured(SECRETS),
  'services.configs': honoured(SECRETS),
  'services.configs.source': honoured(SECRETS),
  'services.configs.target': honoured(SECRETS),
  'services.configs.uid': honoured(SECRETS),
  'services.configs.gid': honoured(SECRETS),
  'services.configs.mode': honoured(SECRETS),
  'services.networks': honoured(OVERLAY),
  'services.networks.aliases': honoured(OVERLAY),
  'services.networks.driver_opts': warned('per-attachment driver options'),
  'services.networks.ipv4_address': refused(
    'static task addresses are not supported (a service has many tasks; use its name or an alias)',
  ),
  'services.networks.ipv6_address': refused('IPv6 task addresses are not supported'),
  'services.deploy': honoured(CONVERT),
  'services.deploy.mode': honoured(CONVERT),
  'services.deploy.replicas': honoured(CONVERT),
  'services.deploy.endpoint_mode': honoured(OVERLAY),
  'services.deploy.labels': honoured(CONVERT),
  'services.deploy.resources': honoured(CONVERT),
  'services.deploy.resources.limits': honoured(CONVERT),
  'services.deploy.resources.limits.cpus': honoured(CONVERT),
  'services.deploy.resources.limits.memory': honoured(CONVERT),
  'services.deploy.resources.limits.pids': honoured(RUNTIME),
  'services.deploy.resources.reservations': honoured(CONVERT),
  'services.deploy.resources.reservations.cpus': honoured('scheduler (reservations filter)'),
  'services.deploy.resources.reservations.memory': honoured('scheduler (reservations filter)'),
  'services.deploy.resources.reservations.generic_resources': refused(
    'generic resources (GPUs ...) are not supported; tasks could land where none exist',
  ),
  'services.deploy.restart_policy': honoured(CONVERT),
  'services.deploy.restart_policy.condition': honoured(CONVERT),
  'services.deploy.restart_policy.delay': honoured(CONVERT),
  'services.deploy.restart_policy.max_attempts': honoured(CONVERT),
  'services.deploy.restart_policy.window': honoured(CONVERT),
  'services.deploy.placement': honoured(CONVERT),
  'services.deploy.placement.constraints': honoured('scheduler (constraints filter)'),
  'services.deploy.placement.preferences': honoured('scheduler (spread score)'),
  'services.deploy.placement.preferences.spread': honoured('scheduler (spread score)'),
  'services.deploy.placement.max_replicas_per_node': honoured('scheduler'),
  ...updateConfigKeys('update_config'),
  ...updateConfigKeys('rollback_config'),
  // docker's UnsupportedProperties: ignored by `docker stack deploy` with the same warning.
  'services.build': warned(),
  'services.cgroupns_mode': warned(),
  'services.cgroup_parent': warned(),
  'services.devices': warned(),
  'services.domainname': warned(),
  'services.external_links': warned(),
  'services.ipc': warned(),
  'services.links': warned(),
  'services.mac_address': warned(),
  'services.network_mode': warned(),
  'services.pid': warned(),
  'services.privileged': warned(),
  'services.restart': warned(),
  'services.security_opt': warned(),
  'services.shm_size': warned(),
  'services.userns_mode': warned(),
  // Flotilla's additions to the warned keys.
  'services.isolation': warned(),
  'services.credential_spec': warned(),
  'services.oom_score_adj': warned(),
  'services.depends_on': warned('services start in any order, as in Swarm'),
  // docker's DeprecatedProperties.
  'services.container_name': deprecated('Setting the container name is not supported.'),
  'services.expose': deprecated(
    "Exposing ports is unnecessary - services on the same network can access each other's containers on any port.",
  ),
  // docker's ForbiddenProperties: not in the schema; refused before variables are substituted.
  'services.extends': refused('Support for `extends` is not implemented yet.'),
  'services.volume_driver': refused(
    'define a volume using the top-level `volumes` option and specify the driver there',
  ),
  'services.volumes_from': refused(
    'share a volume by defining it in the top-level `volumes` option',
  ),
  'services.cpu_quota': refused(resources),
  'services.cpu_shares': refused(resources),
  'services.cpuset': refused(resources),
  'services.mem_limit': refused(resources),
  'services.memswap_limit': refused(resources),

  'networks.name': honoured(CONVERT),
  'networks.external': honoured(CONVERT),
  'networks.external.name': honoured(CONVERT),
  'networks.driver': honoured(OVERLAY),
  'networks.driver_opts': honoured(OVERLAY),
  'networks.ipam': honoured(OVERLAY),
  'networks.ipam.driver': honoured(OVERLAY),
  'networks.ipam.config': honoured(OVERLAY),
  'networks.ipam.config.subnet': honoured(OVERLAY),
  'networks.internal': honoured(OVERLAY),
  'networks.attachable': honoured(OVERLAY),
  'networks.labels': honoured(OVERLAY),

  'volumes.name': honoured(CONVERT),
  'volumes.external': honoured(CONVERT),
  'volumes.external.name': honoured(CONVERT),
  'volumes.driver': honoured('agent local volumes', {
    values: ['local'],
    otherwise: 'warned',
    why: 'only the local driver is supported; the volume is a local one',
  }),
  'volumes.driver_opts': warned('local volumes take no options; the volume is a plain directory'),
  'volumes.labels': warned('volumes are created by the agent when a task first mounts them'),
  'volumes.x-cluster-spec': refused(
    'cluster (CSI) volumes are not supported; the data would stay on one node',
  ),

  ...fileObjectKeys('secrets'),
  'secrets.driver': refused('secret drivers are not supported; the secret would have no data'),
  'secrets.driver_opts': refused('secret drivers are not supported'),
  ...fileObjectKeys('configs'),
};

function updateConfigKeys(k: 'update_config' | 'rollback_config'): Record<KeyPath, KeyDecision> {
  const by = 'manager updater';
  const out: Record<KeyPath, KeyDecision> = { [`services.deploy.${k}`]: honoured(CONVERT) };
  for (const f of ['parallelism', 'delay', 'failure_action', 'monitor', 'max_failure_ratio']) {
    out[`services.deploy.${k}.${f}`] = honoured(by);
  }
  out[`services.deploy.${k}.order`] = honoured(by);
  return out;
}

function fileObjectKeys(section: 'secrets' | 'configs'): Record<KeyPath, KeyDecision> {
  return {
    [`${section}.name`]: honoured(SECRETS),
    [`${section}.file`]: honoured(SECRETS),
    // Not in docker's 3.13 schema; the compose spec allows it (shared/stack/schema.ts has it).
    [`${section}.environment`]: honoured(SECRETS),
    [`${section}.external`]: honoured(SECRETS),
    [`${section}.external.name`]: honoured(SECRETS),
    [`${section}.labels`]: honoured(SECRETS),
    [`${section}.template_driver`]: refused(
      'templated secrets and configs are not supported; the raw template would be delivered',
    ),
  };
}

/** Keys with a decision that docker's 3.13 schema does not have (forbidden or added by us). */
export const keysOutsideSchema = new Set<KeyPath>([
  'services.extends',
  'services.volume_driver',
  'services.volumes_from',
  'services.cpu_quota',
  'services.cpu_shares',
  'services.cpuset',
  'services.mem_limit',
  'services.memswap_limit',
]);
