// The container runtime flags of `service create` and `service update`, spelled as Docker's:
// create takes --host, --sysctl, --ulimit, --cap-add/--cap-drop, --dns*, --group, -t, --env-file;
// update takes the -add/-rm forms. Values go through shared/engine's parsers, as `run` and stacks.
import type { Command } from 'commander';
import {
  checkCapability,
  checkDnsOption,
  checkDnsSearch,
  checkGroup,
  checkNameserver,
  parseExtraHost,
  parseSysctl,
  parseUlimit,
  type Ulimit,
} from '../../../shared/engine/index.js';
import { FlotillaError } from '../../../shared/errors/index.js';
import type { ContainerSpec, ServiceSpec } from '../../../shared/model/index.js';
import { parseDurationNs } from '../../../shared/units/index.js';
import { collect } from '../../repeatable.js';
import { asFlagError, parseEnvFile } from '../container/index.js';

export interface RuntimeFlags {
  host?: string[];
  sysctl?: string[];
  ulimit?: string[];
  capAdd?: string[];
  capDrop?: string[];
  dns?: string[];
  dnsSearch?: string[];
  dnsOption?: string[];
  group?: string[];
  tty?: boolean;
  envFile?: string[];
  limitPids?: string;
  healthStartInterval?: string;
  replicasMaxPerNode?: string;
  // service update
  hostAdd?: string[];
  hostRm?: string[];
  sysctlAdd?: string[];
  sysctlRm?: string[];
  ulimitAdd?: string[];
  ulimitRm?: string[];
  dnsAdd?: string[];
  dnsRm?: string[];
  dnsSearchAdd?: string[];
  dnsSearchRm?: string[];
  dnsOptionAdd?: string[];
  dnsOptionRm?: string[];
  groupAdd?: string[];
  groupRm?: string[];
}

/** Flags both verbs spell the same. */
function addShared(cmd: Command): Command {
  return cmd
    .option('-t, --tty', 'allocate a pseudo-TTY')
    .option('--limit-pids <n>', 'limit the number of processes (0 = unlimited)')
    .option('--health-start-interval <duration>', 'time between checks during the start period')
    .option('--replicas-max-per-node <n>', 'maximum tasks per node (0 = unlimited)')
    .option('--cap-add <cap>', 'add Linux capabilities', collect)
    .option('--cap-drop <cap>', 'drop Linux capabilities', collect);
}

export function addRuntimeCreateOptions(cmd: Command): Command {
  return addShared(cmd)
    .option('--host <host:ip>', 'add a custom host-to-IP mapping (repeatable)', collect)
    .option('--sysctl <k=v>', 'namespaced kernel parameter (repeatable)', collect)
    .option('--ulimit <name=soft[:hard]>', 'ulimit option (repeatable)', collect)
    .option('--dns <ip>', 'set custom DNS servers (repeatable)', collect)
    .option('--dns-search <domain>', 'set custom DNS search domains (repeatable)', collect)
    .option('--dns-option <opt>', 'set DNS options (repeatable)', collect)
    .option('--group <group>', 'set additional supplementary user groups (repeatable)', collect)
    .option('--env-file <file>', 'read in a file of environment variables (repeatable)', collect);
}

export function addRuntimeUpdateOptions(cmd: Command): Command {
  const pair = (name: string, what: string) =>
    cmd
      .option(`--${name}-add <v>`, `add ${what}`, collect)
      .option(`--${name}-rm <v>`, `remove ${what}`, collect);
  addShared(cmd);
  pair('host', 'a custom host-to-IP mapping (host:ip)');
  pair('sysctl', 'a namespaced kernel parameter (k=v; rm takes k)');
  pair('ulimit', 'a ulimit (name=soft[:hard]; rm takes the name)');
  pair('dns', 'a DNS server');
  pair('dns-search', 'a DNS search domain');
  pair('dns-option', 'a DNS option');
  return cmd
    .option('--group-add <group>', 'add a supplementary user group', collect)
    .option('--group-rm <group>', 'remove a supplementary user group', collect);
}

const flag = asFlagError;

const each = <T>(name: string, list: string[] | undefined, parse: (v: string) => T): T[] =>
  (list ?? []).map((v) => flag(name, v, () => parse(v)));

/** Swarm's host line from Docker's `host:ip`. */
function hostLine(spec: string, name: string): string {
  const e = flag(name, spec, () => parseExtraHost(spec, name));
  const i = e.indexOf(':');
  return `${e.slice(i + 1)} ${e.slice(0, i)}`;
}

function wholeNumber(name: string, v: string): number {
  if (!/^\d+$/.test(v))
    throw new FlotillaError('INVALID_FLAG_VALUE', {
      flag: name,
      value: v,
      reason: 'must be a whole number',
    });
  return Number(v);
}

/** The flags both verbs share, applied to `spec` in place. */
function applyShared(spec: ServiceSpec, f: RuntimeFlags): void {
  const t = spec.taskTemplate;
  const c = t.containerSpec;
  if (f.tty) c.tty = true;
  if (f.limitPids !== undefined) {
    const n = wholeNumber('--limit-pids', f.limitPids);
    if (n) t.resources.limits.pids = n;
    else delete t.resources.limits.pids;
  }
  if (f.healthStartInterval !== undefined) {
    const ns = parseDurationNs(f.healthStartInterval, '--health-start-interval');
    if (!c.healthcheck || c.healthcheck.test[0] === 'NONE')
      throw new FlotillaError('INVALID_FLAG_VALUE', {
        flag: '--health-start-interval',
        value: f.healthStartInterval,
        reason: 'the service has no health check: give --health-cmd as well',
      });
    c.healthcheck.startIntervalNs = ns;
  }
  if (f.replicasMaxPerNode !== undefined)
    t.placement.maxReplicasPerNode = wholeNumber('--replicas-max-per-node', f.replicasMaxPerNode);
}

const nonEmpty = <T>(list: T[]): T[] | undefined => (list.length ? list : undefined);

export function applyRuntimeCreateFlags(spec: ServiceSpec, f: RuntimeFlags): void {
  applyShared(spec, f);
  const c = spec.taskTemplate.containerSpec;
  const fromFiles = (f.envFile ?? []).flatMap((file) => parseEnvFile(file));
  if (fromFiles.length) c.env = [...fromFiles, ...c.env];
  c.hosts = nonEmpty((f.host ?? []).map((h) => hostLine(h, '--host')));
  const sysctls = Object.fromEntries(each('--sysctl', f.sysctl, (v) => parseSysctl(v)));
  c.sysctls = Object.keys(sysctls).length ? sysctls : undefined;
  c.ulimits = nonEmpty(each('--ulimit', f.ulimit, (v) => parseUlimit(v)));
  c.capabilityAdd = nonEmpty(each('--cap-add', f.capAdd, (v) => checkCapability(v)));
  c.capabilityDrop = nonEmpty(each('--cap-drop', f.capDrop, (v) => checkCapability(v)));
  c.groups = nonEmpty(each('--group', f.group, (v) => checkGroup(v)));
  setDns(c, {
    nameservers: each('--dns', f.dns, (v) => checkNameserver(v)),
    search: each('--dns-search', f.dnsSearch, (v) => checkDnsSearch(v)),
    options: each('--dns-option', f.dnsOption, (v) => checkDnsOption(v)),
  });
  for (const k of Object.keys(c) as (keyof ContainerSpec)[]) if (c[k] === undefined) delete c[k];
}

function setDns(
  c: ContainerSpec,
  d: { nameservers: string[]; search: string[]; options: string[] },
) {
  const out = Object.fromEntries(Object.entries(d).filter(([, v]) => v.length));
  if (Object.keys(out).length) c.dnsConfig = out;
  else delete c.dnsConfig;
}

/** Removes then adds, as Docker's update does; `key` says which entries are the same one. */
function addRm<T>(cur: T[] | undefined, rm: string[], add: T[], key: (x: T) => string) {
  const gone = new Set(rm);
  const added = new Set(add.map(key));
  const out = [...(cur ?? []).filter((x) => !gone.has(key(x)) && !added.has(key(x))), ...add];
  return nonEmpty(out);
}

export function applyRuntimeUpdateFlags(spec: ServiceSpec, f: RuntimeFlags): void {
  applyShared(spec, f);
  const c = spec.taskTemplate.containerSpec;
  const hostName = (line: string) => line.trim().split(/\s+/)[1] ?? '';
  c.hosts = addRm(
    c.hosts,
    (f.hostRm ?? []).map((h) => h.split(/[:=]/)[0]),
    (f.hostAdd ?? []).map((h) => hostLine(h, '--host-add')),
    hostName,
  );
  const sysctls = { ...(c.sysctls ?? {}) };
  for (const k of f.sysctlRm ?? []) delete sysctls[k.split('=')[0]];
  for (const [k, v] of each('--sysctl-add', f.sysctlAdd, (x) => parseSysctl(x))) sysctls[k] = v;
  c.sysctls = Object.keys(sysctls).length ? sysctls : undefined;
  c.ulimits = addRm(
    c.ulimits,
    (f.ulimitRm ?? []).map((u) => u.split('=')[0]),
    each('--ulimit-add', f.ulimitAdd, (v) => parseUlimit(v)),
    (u: Ulimit) => u.name,
  );
  // --cap-add also takes a capability out of the drop list, and --cap-drop out of the add list.
  const capAdd = each('--cap-add', f.capAdd, (v) => checkCapability(v));
  const capDrop = each('--cap-drop', f.capDrop, (v) => checkCapability(v));
  c.capabilityAdd = addRm(c.capabilityAdd, capDrop, capAdd, (x) => x);
  c.capabilityDrop = addRm(c.capabilityDrop, capAdd, capDrop, (x) => x);
  c.groups = addRm(
    c.groups,
    f.groupRm ?? [],
    each('--group-add', f.groupAdd, (v) => checkGroup(v)),
    (x) => x,
  );
  const d = c.dnsConfig ?? {};
  const same = (x: string) => x;
  setDns(c, {
    nameservers:
      addRm(d.nameservers, f.dnsRm ?? [], each('--dns-add', f.dnsAdd, checkNameserver), same) ?? [],
    search:
      addRm(
        d.search,
        f.dnsSearchRm ?? [],
        each('--dns-search-add', f.dnsSearchAdd, checkDnsSearch),
        same,
      ) ?? [],
    options:
      addRm(
        d.options,
        f.dnsOptionRm ?? [],
        each('--dns-option-add', f.dnsOptionAdd, checkDnsOption),
        same,
      ) ?? [],
  });
  for (const k of Object.keys(c) as (keyof ContainerSpec)[]) if (c[k] === undefined) delete c[k];
}
