// `flotilla service update [flags] SERVICE`: applies Docker's update flags to the service's current
// spec and sends it with the version it was read at (the manager refuses a stale one). Scalar flags
// are parsed by `service create`'s specFromFlags, so both verbs accept and reject the same values.
import type { Command } from 'commander';
import { addImageOptions, imageRequest, printWarnings, type ImageFlags } from './image-flags.js';
import { FlotillaError } from '../../../shared/errors/index.js';
import type { PortConfig, ServiceSpec, UpdateConfig } from '../../../shared/model/index.js';
import { managerClient } from '../../clients/manager-client.js';
import type { CliContext } from '../../context.js';
import { parseFlags } from '../../exit-status.js';
import { collect } from '../../repeatable.js';
import { waitForConvergence } from '../../convergence.js';
import {
  parseMount,
  parsePort,
  specFromFlags,
  type ServiceCreateFlags,
} from './spec-from-flags.js';
import {
  addRuntimeUpdateOptions,
  applyRuntimeUpdateFlags,
  type RuntimeFlags,
} from './runtime-flags.js';
import { addTaskSpecOptions } from './task-flags.js';
import { updateNetworks } from './network-flags.js';
import { addFileUpdateOptions, applyFileUpdateFlags, type FileUpdateFlags } from './file-flags.js';

export interface ServiceUpdateFlags
  extends Omit<ServiceCreateFlags, 'name' | 'mode' | 'network'>, FileUpdateFlags, RuntimeFlags {
  networkAdd?: string[];
  networkRm?: string[];
  image?: string;
  args?: string;
  envAdd?: string[];
  envRm?: string[];
  publishAdd?: string[];
  publishRm?: string[];
  constraintAdd?: string[];
  constraintRm?: string[];
  labelAdd?: string[];
  labelRm?: string[];
  containerLabelAdd?: string[];
  containerLabelRm?: string[];
  mountAdd?: string[];
  mountRm?: string[];
  force?: boolean;
  updateMaxFailureRatio?: string;
  rollbackParallelism?: string;
  rollbackDelay?: string;
  rollbackFailureAction?: string;
  rollbackMonitor?: string;
  rollbackOrder?: string;
  rollbackMaxFailureRatio?: string;
  rollback?: boolean;
  detach?: boolean;
  quiet?: boolean;
}

/** Applies the flags to a copy of `current`; throws INVALID_FLAG_VALUE naming the flag. */
export function applyUpdateFlags(
  current: ServiceSpec,
  f: ServiceUpdateFlags,
  /** Network names and ids → the ids a spec stores (for --network-rm NAME). */
  networkIds: ReadonlyMap<string, string> = new Map(),
): ServiceSpec {
  const spec = structuredClone(current);
  const t = spec.taskTemplate;
  const c = t.containerSpec;
  // Parse scalar flags exactly as `service create` does, then copy what was given.
  const probe = specFromFlags(f.image ?? c.image, [], {
    ...f,
    name: spec.name,
  } as ServiceCreateFlags);
  const pc = probe.taskTemplate.containerSpec;
  if (f.image) c.image = f.image;
  if (f.args !== undefined) c.args = f.args.split(/\s+/).filter(Boolean);
  if (f.entrypoint !== undefined) c.command = pc.command;
  if (f.workdir !== undefined) c.dir = pc.dir;
  if (f.user !== undefined) c.user = pc.user;
  if (f.hostname !== undefined) c.hostname = pc.hostname;
  if (f.stopSignal !== undefined) c.stopSignal = pc.stopSignal;
  if (f.stopGracePeriod !== undefined) c.stopGracePeriodNs = pc.stopGracePeriodNs;
  if (f.readOnly) c.readOnly = true;
  if (f.init) c.init = true;
  if (f.logDriver !== undefined) c.logDriver = pc.logDriver;
  if (
    f.healthcheck === false ||
    f.healthCmd ||
    f.healthInterval ||
    f.healthTimeout ||
    f.healthRetries ||
    f.healthStartPeriod
  )
    c.healthcheck = {
      ...(c.healthcheck ?? {}),
      ...pc.healthcheck,
      test: pc.healthcheck?.test ?? c.healthcheck?.test ?? [],
    };

  if (f.replicas !== undefined) {
    if (!('replicated' in spec.mode))
      throw bad('--replicas', f.replicas, 'replicas can only be used with replicated mode');
    spec.mode = probe.mode;
  }
  if (f.maxReplicasPerNode !== undefined)
    t.placement.maxReplicasPerNode = probe.taskTemplate.placement.maxReplicasPerNode;
  const pr = probe.taskTemplate.resources;
  if (f.reserveCpu) t.resources.reservations.nanoCpus = pr.reservations.nanoCpus;
  if (f.limitCpu) t.resources.limits.nanoCpus = pr.limits.nanoCpus;
  if (f.reserveMemory) t.resources.reservations.memoryBytes = pr.reservations.memoryBytes;
  if (f.limitMemory) t.resources.limits.memoryBytes = pr.limits.memoryBytes;
  const rp = probe.taskTemplate.restartPolicy;
  if (f.restartCondition) t.restartPolicy.condition = rp.condition;
  if (f.restartDelay) t.restartPolicy.delayNs = rp.delayNs;
  if (f.restartMaxAttempts) t.restartPolicy.maxAttempts = rp.maxAttempts;
  if (f.restartWindow) t.restartPolicy.windowNs = rp.windowNs;

  // List and map flags: remove first, then add (as docker).
  c.env = addRemove(c.env, f.envRm, f.envAdd, (e) => e.split('=', 1)[0]);
  c.labels = mapAddRemove(
    c.labels,
    f.containerLabelRm,
    f.containerLabelAdd,
    '--container-label-add',
  );
  spec.labels = mapAddRemove(spec.labels, f.labelRm, f.labelAdd, '--label-add');
  t.placement.constraints = addRemove(
    t.placement.constraints,
    f.constraintRm,
    f.constraintAdd,
    (x) => x.replace(/\s+/g, ''),
  );
  if (f.constraintAdd) specFromFlags(c.image, [], { constraint: f.constraintAdd });
  c.mounts = [
    ...c.mounts.filter((m) => !(f.mountRm ?? []).includes(m.target)),
    ...(f.mountAdd ?? []).map(parseMount),
  ];
  applyFileUpdateFlags(spec, f);
  spec.endpointSpec.ports = [
    ...spec.endpointSpec.ports.filter((p) => !(f.publishRm ?? []).some((r) => portMatches(p, r))),
    ...(f.publishAdd ?? []).map(parsePort),
  ];

  spec.updateConfig = updateConfig(spec.updateConfig, probe.updateConfig, f, 'update');
  spec.rollbackConfig = updateConfig(
    spec.rollbackConfig,
    rollbackProbe(f),
    {
      updateParallelism: f.rollbackParallelism,
      updateDelay: f.rollbackDelay,
      updateFailureAction: f.rollbackFailureAction,
      updateMonitor: f.rollbackMonitor,
      updateOrder: f.rollbackOrder,
      updateMaxFailureRatio: f.rollbackMaxFailureRatio,
    },
    'rollback',
  );
  if (f.endpointMode !== undefined) spec.endpointSpec.mode = probe.endpointSpec.mode;
  if (f.networkAdd || f.networkRm) t.networks = updateNetworks(t.networks, f, networkIds);
  applyRuntimeUpdateFlags(spec, f);
  if (f.force) t.forceUpdate++;
  return spec;
}

function rollbackProbe(f: ServiceUpdateFlags): UpdateConfig {
  if (f.rollbackFailureAction && !['pause', 'continue'].includes(f.rollbackFailureAction))
    throw bad('--rollback-failure-action', f.rollbackFailureAction, 'must be pause or continue');
  return specFromFlags('x', [], {
    updateParallelism: f.rollbackParallelism,
    updateDelay: f.rollbackDelay,
    updateFailureAction: f.rollbackFailureAction,
    updateMonitor: f.rollbackMonitor,
    updateOrder: f.rollbackOrder,
  }).updateConfig;
}

function updateConfig(
  cur: UpdateConfig,
  parsed: UpdateConfig,
  f: Pick<
    ServiceUpdateFlags,
    | 'updateParallelism'
    | 'updateDelay'
    | 'updateFailureAction'
    | 'updateMonitor'
    | 'updateOrder'
    | 'updateMaxFailureRatio'
  >,
  which: 'update' | 'rollback',
): UpdateConfig {
  const u = { ...cur };
  if (f.updateParallelism !== undefined) u.parallelism = parsed.parallelism;
  if (f.updateDelay !== undefined) u.delayNs = parsed.delayNs;
  if (f.updateFailureAction !== undefined) u.failureAction = parsed.failureAction;
  if (f.updateMonitor !== undefined) u.monitorNs = parsed.monitorNs;
  if (f.updateOrder !== undefined) u.order = parsed.order;
  if (f.updateMaxFailureRatio !== undefined) {
    const n = Number(f.updateMaxFailureRatio);
    if (!Number.isFinite(n) || n < 0 || n > 1)
      throw bad(
        `--${which}-max-failure-ratio`,
        f.updateMaxFailureRatio,
        'must be a number from 0 to 1',
      );
    u.maxFailureRatio = n;
  }
  return u;
}

/** --publish-rm takes the target port (80, 80/udp) or the published:target form. */
function portMatches(p: PortConfig, spec: string): boolean {
  const m = /^(?:(\d+):)?(\d+)(?:\/(tcp|udp))?$/.exec(spec);
  if (!m) throw bad('--publish-rm', spec, 'expected [PUBLISHED:]TARGET[/PROTOCOL]');
  return (
    p.target === Number(m[2]) &&
    (!m[3] || p.protocol === m[3]) &&
    (!m[1] || p.published === Number(m[1]))
  );
}

function addRemove(
  list: string[],
  rm: string[] | undefined,
  add: string[] | undefined,
  key: (s: string) => string,
): string[] {
  const drop = new Set((rm ?? []).map(key));
  const adds = add ?? [];
  const addKeys = new Set(adds.map(key));
  return [...list.filter((x) => !drop.has(key(x)) && !addKeys.has(key(x))), ...adds];
}

function mapAddRemove(
  map: Record<string, string>,
  rm: string[] | undefined,
  add: string[] | undefined,
  flag: string,
): Record<string, string> {
  const out = { ...map };
  for (const k of rm ?? []) delete out[k];
  for (const kv of add ?? []) {
    const i = kv.indexOf('=');
    if (i === 0) throw bad(flag, kv, 'expected KEY=VALUE');
    if (i < 0) out[kv] = '';
    else out[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return out;
}

function bad(flag: string, value: string, reason: string): FlotillaError {
  return new FlotillaError('INVALID_FLAG_VALUE', { flag, value, reason });
}

/** The flags `service update` shares with docker's. */
function updateOptions(cmd: Command): Command {
  return addFileUpdateOptions(addTaskSpecOptions(addRuntimeUpdateOptions(cmd)))
    .option('--image <image>', 'service image tag')
    .option('--args <command>', 'service command args')
    .option('--env-add <VAR=value>', 'add or update an environment variable', collect)
    .option('--env-rm <VAR>', 'remove an environment variable', collect)
    .option('--publish-add <spec>', 'add or update a published port', collect)
    .option('--publish-rm <port>', 'remove a published port by its target port', collect)
    .option('--constraint-add <expr>', 'add or update a placement constraint', collect)
    .option('--constraint-rm <expr>', 'remove a constraint', collect)
    .option('--label-add <k=v>', 'add or update a service label', collect)
    .option('--label-rm <key>', 'remove a label by its key', collect)
    .option('--container-label-add <k=v>', 'add or update a container label', collect)
    .option('--container-label-rm <key>', 'remove a container label by its key', collect)
    .option('--mount-add <spec>', 'add a mount', collect)
    .option('--mount-rm <target>', 'remove a mount by its target path', collect)
    .option('--network-add <network>', 'add a network: NAME[,alias=A] (repeatable)', collect)
    .option('--network-rm <network>', 'remove a network by name or id (repeatable)', collect)
    .option('--endpoint-mode <mode>', 'vip or dnsrr')
    .option('--replicas <n>', 'number of tasks')
    .option('--force', 'force update even if no changes require it')
    .option('--update-parallelism <n>', 'tasks updated at once (0 = all)')
    .option('--update-delay <duration>', 'delay between updates')
    .option('--update-failure-action <a>', 'pause, continue or rollback')
    .option('--update-monitor <duration>', 'time to monitor each updated task for failure')
    .option('--update-max-failure-ratio <r>', 'failure rate to tolerate during an update')
    .option('--update-order <o>', 'stop-first or start-first')
    .option('--rollback-parallelism <n>', 'tasks rolled back at once (0 = all)')
    .option('--rollback-delay <duration>', 'delay between task rollbacks')
    .option('--rollback-failure-action <a>', 'pause or continue')
    .option('--rollback-monitor <duration>', 'time to monitor each rolled back task')
    .option('--rollback-max-failure-ratio <r>', 'failure rate to tolerate during a rollback')
    .option('--rollback-order <o>', 'stop-first or start-first')
    .option('--rollback', 'roll back to the previous specification')
    .option('-d, --detach', 'exit immediately instead of waiting for the service to converge')
    .option('-q, --quiet', 'suppress progress output');
}

export function registerServiceUpdate(service: Command, ctx: () => CliContext): void {
  addImageOptions(
    updateOptions(service.command('update').description('Update a service').argument('<service>')),
  ).action(async (ref: string, f: ServiceUpdateFlags & ImageFlags) => {
    const client = managerClient(ctx());
    const s = await client.json<{ id: string; version: number; spec: ServiceSpec }>({
      path: `/services/${encodeURIComponent(ref)}`,
    });
    let version: number;
    if (f.rollback) {
      version = (
        await client.json<{ version: number }>({
          method: 'POST',
          path: `/services/${s.id}/rollback`,
          body: { version: s.version },
        })
      ).version;
    } else {
      const ids = new Map<string, string>();
      if (f.networkAdd || f.networkRm)
        for (const n of await client.json<{ id: string; spec: { name: string } }[]>({
          path: '/networks',
        }))
          ids.set(n.id, n.id).set(n.spec.name, n.id);
      const spec = parseFlags(() => applyUpdateFlags(s.spec, f, ids));
      const extra = await imageRequest(
        f,
        spec.taskTemplate.containerSpec.image,
        f.image !== undefined,
        ctx().err,
      );
      const res = await client.json<{ version: number; warnings?: string[] }>({
        method: 'POST',
        path: `/services/${s.id}/update`,
        body: { version: s.version, spec, ...extra },
      });
      printWarnings(res.warnings, ctx().err);
      version = res.version;
    }
    ctx().out.write(`${ref}\n`);
    if (f.detach) return;
    await waitForConvergence(client, s.id, {
      out: ctx().out,
      version,
      rollback: f.rollback,
      quiet: f.quiet,
    });
  });
}
