// Turns a normalised stack into Flotilla service specs, as `docker stack deploy` turns it into
// Swarm services: names `<stack>_<service>`, the com.docker.stack.namespace label on services and
// containers, stack-scoped named volumes and networks, and Swarm's defaults for anything unset.
// It does not talk to the manager; `stack deploy` sends what this returns.
import { FlotillaError } from '../errors/index.js';
import type {
  HealthConfig,
  Mount,
  NetworkAttachmentConfig,
  PortConfig,
  ServiceSpec,
  UpdateConfig,
} from '../model/index.js';
import { parseBytes, parseDurationNs } from '../units/index.js';
import type { ComposeConfig, Dict } from './compose-types.js';
import { convertFileObjects, fileReferencesOf, type StackFileObject } from './convert-files.js';
import { stackLogDriver } from './logging.js';
import { mountOptionsOf, runtimeOptionsOf } from './convert-runtime.js';

export const STACK_NAMESPACE_LABEL = 'com.docker.stack.namespace';

export interface StackNetwork {
  /** Name as written in the file. */
  key: string;
  /** Cluster-wide name: `<stack>_<key>`, or the given `name:` / external name. */
  name: string;
  external: boolean;
  driver: string;
  driverOpts: Record<string, string>;
  attachable: boolean;
  internal: boolean;
  labels: Record<string, string>;
  /** ipam.config[0].subnet / gateway: absent = from the cluster's overlay pool. */
  subnet?: string;
  gateway?: string;
}

export interface StackVolume {
  key: string;
  name: string;
  external: boolean;
  driver: string;
  driverOpts: Record<string, string>;
  labels: Record<string, string>;
}

export interface ConvertedStack {
  services: ServiceSpec[];
  networks: StackNetwork[];
  volumes: StackVolume[];
  secrets: StackFileObject[];
  configs: StackFileObject[];
}

const defaultUpdate = (): UpdateConfig => ({
  parallelism: 1,
  delayNs: 0,
  failureAction: 'pause',
  monitorNs: 5e9,
  maxFailureRatio: 0,
  order: 'stop-first',
});

const dur = (v: unknown, field: string): number | undefined =>
  v === undefined ? undefined : parseDurationNs(String(v), field);

/** "0.5" → 500000000 nano-CPUs, exact like docker's ParseCPUs. */
export function parseNanoCpus(text: string, field = 'cpus'): number {
  const m = /^(\d*)(?:\.(\d{0,9})\d*)?$/.exec(text.trim());
  if (!m || text.trim() === '' || text.trim() === '.')
    throw new Error(`${field}: invalid CPU count "${text}"`);
  return Number(m[1] || '0') * 1e9 + Number((m[2] ?? '').padEnd(9, '0'));
}

function labelsWithNamespace(labels: unknown, stack: string): Record<string, string> {
  return { ...((labels as Record<string, string>) ?? {}), [STACK_NAMESPACE_LABEL]: stack };
}

function updateConfig(v: unknown, path: string): UpdateConfig {
  const out = defaultUpdate();
  if (!v) return out;
  const o = v as Dict;
  if (typeof o.parallelism === 'number') out.parallelism = o.parallelism;
  out.delayNs = dur(o.delay, `${path}.delay`) ?? out.delayNs;
  if (o.failure_action) out.failureAction = o.failure_action as UpdateConfig['failureAction'];
  out.monitorNs = dur(o.monitor, `${path}.monitor`) ?? out.monitorNs;
  if (typeof o.max_failure_ratio === 'number') out.maxFailureRatio = o.max_failure_ratio;
  if (o.order) out.order = o.order as UpdateConfig['order'];
  return out;
}

export function convertStack(stack: string, cfg: ComposeConfig): ConvertedStack {
  const scoped = (key: string, given: unknown, external: boolean) =>
    typeof given === 'string' && given !== '' ? given : external ? key : `${stack}_${key}`;

  const networks: StackNetwork[] = Object.entries(cfg.networks).map(([key, n]) => ({
    key,
    name: scoped(key, n.name, n.external === true),
    external: n.external === true,
    driver: (n.driver as string) ?? 'overlay',
    driverOpts: (n.driver_opts as Record<string, string>) ?? {},
    attachable: n.attachable === true,
    internal: n.internal === true,
    labels: labelsWithNamespace(n.labels, stack),
    ...stackIpam(key, n),
  }));
  for (const n of networks)
    if (!n.external && n.driver !== 'overlay')
      refuse(`networks.${n.key}.driver: "${n.driver}" is not supported in a stack (only overlay)`);
  const volumes: StackVolume[] = Object.entries(cfg.volumes).map(([key, v]) => ({
    key,
    name: scoped(key, v.name, v.external === true),
    external: v.external === true,
    driver: (v.driver as string) ?? 'local',
    driverOpts: (v.driver_opts as Record<string, string>) ?? {},
    labels: labelsWithNamespace(v.labels, stack),
  }));
  const secrets = convertFileObjects(stack, cfg, 'secrets', STACK_NAMESPACE_LABEL);
  const configs = convertFileObjects(stack, cfg, 'configs', STACK_NAMESPACE_LABEL);
  const netName = new Map(networks.map((n) => [n.key, n.name]));
  const volName = new Map(volumes.map((v) => [v.key, v.name]));
  // A service with no networks joins the stack's default network, as docker does.
  const defaultNet = netName.get('default') ?? `${stack}_default`;
  let usesDefault = false;

  const services = Object.entries(cfg.services).map(([key, s]): ServiceSpec => {
    const p = `services.${key}`;
    const deploy = (s.deploy as Dict) ?? {};
    const resources = (deploy.resources as Dict) ?? {};
    const res = (kind: 'limits' | 'reservations') => {
      const r = (resources[kind] as Dict) ?? {};
      const out: { nanoCpus?: number; memoryBytes?: number; pids?: number } = {};
      if (r.cpus !== undefined)
        out.nanoCpus = parseNanoCpus(String(r.cpus), `${p}.deploy.resources.${kind}.cpus`);
      if (r.memory !== undefined)
        out.memoryBytes = parseBytes(String(r.memory), `${p}.deploy.resources.${kind}.memory`);
      if (typeof r.pids === 'number') out.pids = r.pids;
      return out;
    };
    const rp = (deploy.restart_policy as Dict) ?? {};
    const placement = (deploy.placement as Dict) ?? {};
    const hc = s.healthcheck as Dict | undefined;
    let healthcheck: HealthConfig | undefined;
    if (hc) {
      healthcheck =
        hc.disable === true ? { test: ['NONE'] } : { test: (hc.test as string[]) ?? [] };
      if (hc.disable !== true) {
        const t = dur(hc.timeout, `${p}.healthcheck.timeout`);
        const i = dur(hc.interval, `${p}.healthcheck.interval`);
        const sp = dur(hc.start_period, `${p}.healthcheck.start_period`);
        const si = dur(hc.start_interval, `${p}.healthcheck.start_interval`);
        if (si !== undefined) healthcheck.startIntervalNs = si;
        if (i !== undefined) healthcheck.intervalNs = i;
        if (t !== undefined) healthcheck.timeoutNs = t;
        if (sp !== undefined) healthcheck.startPeriodNs = sp;
        if (typeof hc.retries === 'number') healthcheck.retries = hc.retries;
      }
    }
    const mounts: Mount[] = ((s.volumes as Dict[]) ?? []).map((v) => {
      const type = v.type as Mount['type'];
      const m: Mount = { type, target: String(v.target ?? '') };
      if (v.source !== undefined) {
        m.source =
          type === 'volume'
            ? (volName.get(String(v.source)) ?? `${stack}_${v.source}`)
            : String(v.source);
      }
      if (v.read_only === true) m.readOnly = true;
      const size = (v.tmpfs as Dict | undefined)?.size;
      if (typeof size === 'number') m.tmpfsSizeBytes = size;
      mountOptionsOf(v, m);
      return m;
    });
    for (const t of (s.tmpfs as string[]) ?? []) mounts.push({ type: 'tmpfs', target: t });
    const ports: PortConfig[] = ((s.ports as Dict[]) ?? []).map((pt) => {
      const out: PortConfig = {
        target: Number(pt.target ?? 0),
        protocol: (pt.protocol as PortConfig['protocol']) ?? 'tcp',
        mode: (pt.mode as PortConfig['mode']) ?? 'ingress',
      };
      if (typeof pt.published === 'number') out.published = pt.published;
      return out;
    });
    const env = Object.entries((s.environment as Record<string, string | null>) ?? {}).map(
      ([k, v]) => (v === null ? k : `${k}=${v}`),
    );
    // As docker: the service's short name is an alias on each of its networks.
    let networksOfService: NetworkAttachmentConfig[] = Object.entries(
      (s.networks as Record<string, Dict | null>) ?? {},
    ).map(([n, opts]) => {
      // `default` named explicitly: the stack's default network, created as for services that
      // name none.
      if (n === 'default' && !netName.has(n)) usesDefault = true;
      return {
        target: netName.get(n) ?? `${stack}_${n}`,
        aliases: [key, ...serviceAliases(`${p}.networks.${n}`, opts)],
      };
    });
    if (networksOfService.length === 0) {
      networksOfService = [{ target: defaultNet, aliases: [key] }];
      usesDefault = true;
    }
    const secretRefs = fileReferencesOf(s.secrets, 'secrets', secrets);
    const configRefs = fileReferencesOf(s.configs, 'configs', configs);
    const spec: ServiceSpec = {
      name: `${stack}_${key}`,
      labels: labelsWithNamespace(deploy.labels, stack),
      mode:
        deploy.mode === 'global'
          ? { global: {} }
          : { replicated: { replicas: typeof deploy.replicas === 'number' ? deploy.replicas : 1 } },
      taskTemplate: {
        containerSpec: {
          image: String(s.image ?? ''),
          ...(s.entrypoint ? { command: s.entrypoint as string[] } : {}),
          ...(s.command ? { args: s.command as string[] } : {}),
          env,
          labels: labelsWithNamespace(s.labels, stack),
          ...(s.working_dir ? { dir: String(s.working_dir) } : {}),
          ...(s.user ? { user: String(s.user) } : {}),
          ...(s.hostname ? { hostname: String(s.hostname) } : {}),
          mounts,
          ...(s.stop_signal ? { stopSignal: String(s.stop_signal) } : {}),
          ...(s.stop_grace_period
            ? { stopGracePeriodNs: dur(s.stop_grace_period, `${p}.stop_grace_period`) }
            : {}),
          ...(healthcheck ? { healthcheck } : {}),
          ...(s.read_only === true ? { readOnly: true } : {}),
          ...(typeof s.init === 'boolean' ? { init: s.init } : {}),
          ...(secretRefs ? { secrets: secretRefs } : {}),
          ...(configRefs ? { configs: configRefs } : {}),
          ...(stackLogDriver(s.logging) ? { logDriver: stackLogDriver(s.logging) } : {}),
          ...runtimeOptionsOf(s),
        },
        resources: { limits: res('limits'), reservations: res('reservations') },
        restartPolicy: {
          condition: (rp.condition as 'none' | 'on-failure' | 'any') ?? 'any',
          delayNs: dur(rp.delay, `${p}.deploy.restart_policy.delay`) ?? 5e9,
          maxAttempts: typeof rp.max_attempts === 'number' ? rp.max_attempts : 0,
          windowNs: dur(rp.window, `${p}.deploy.restart_policy.window`) ?? 0,
        },
        placement: {
          constraints: (placement.constraints as string[]) ?? [],
          preferences: ((placement.preferences as { spread: string }[]) ?? []).map((x) => ({
            spread: x.spread,
          })),
          maxReplicasPerNode:
            typeof placement.max_replicas_per_node === 'number'
              ? placement.max_replicas_per_node
              : 0,
        },
        networks: networksOfService,
        forceUpdate: 0,
      },
      updateConfig: updateConfig(deploy.update_config, `${p}.deploy.update_config`),
      rollbackConfig: updateConfig(deploy.rollback_config, `${p}.deploy.rollback_config`),
      endpointSpec: { mode: deploy.endpoint_mode === 'dnsrr' ? 'dnsrr' : 'vip', ports },
    };
    return spec;
  });

  if (usesDefault && !networks.some((n) => n.name === defaultNet)) {
    networks.push({
      key: 'default',
      name: defaultNet,
      external: false,
      driver: 'overlay',
      driverOpts: {},
      attachable: false,
      internal: false,
      labels: { [STACK_NAMESPACE_LABEL]: stack },
    });
  }
  return { services, networks, volumes, secrets, configs };
}

function refuse(detail: string): never {
  throw new FlotillaError('STACK_INVALID', { detail });
}

/** A service's options on one network: aliases are honoured, fixed addresses refused. */
function serviceAliases(path: string, opts: Dict | null): string[] {
  if (!opts) return [];
  // driver_opts is warned about by the loader (key-decisions.ts); the rest cannot be honoured.
  for (const k of ['ipv4_address', 'ipv6_address', 'link_local_ips', 'priority'])
    if (opts[k] !== undefined)
      refuse(`${path}.${k}: not supported (the manager assigns each task its address)`);
  return ((opts.aliases as unknown[]) ?? []).map(String);
}

/** ipam.config[0].subnet and gateway; any other ipam setting is refused by name. */
function stackIpam(key: string, n: Dict): { subnet?: string; gateway?: string } {
  const ipam = n.ipam as Dict | undefined;
  if (!ipam) return {};
  const p = `networks.${key}.ipam`;
  if (ipam.driver !== undefined && ipam.driver !== 'default')
    refuse(`${p}.driver: "${String(ipam.driver)}" is not supported (only default)`);
  if (ipam.options !== undefined) refuse(`${p}.options: not supported`);
  const configs = (ipam.config as Dict[] | undefined) ?? [];
  if (configs.length > 1) refuse(`${p}.config: only one subnet per network is supported`);
  const c = configs[0];
  if (!c) return {};
  for (const k of Object.keys(c))
    if (k !== 'subnet' && k !== 'gateway') refuse(`${p}.config[0].${k}: not supported`);
  return {
    ...(c.subnet !== undefined ? { subnet: String(c.subnet) } : {}),
    ...(c.gateway !== undefined ? { gateway: String(c.gateway) } : {}),
  };
}
