// `run`/`create` flags that shape the container's OCI spec: --pid/--ipc/--uts, --shm-size,
// --device, --device-cgroup-rule, --oom-score-adj, --oom-kill-disable, --memory-reservation,
// --cpuset-cpus/--cpuset-mems and --gpus. shared/engine/spec-options.ts checks them (the agent runs
// the same checks on an API body); a refusal here is a flag error (status 125) naming the flag.
import type { Command } from 'commander';
import {
  checkNamespaceMode,
  checkOomScoreAdj,
  parseDevice,
  parseGpus,
  validateSpecOptions,
  type RuntimeSpecOptions,
} from '../../../shared/engine/index.js';
import { FlotillaError, isFlotillaError } from '../../../shared/errors/index.js';
import { parseBytes } from '../../../shared/units/index.js';
import { collect } from '../../repeatable.js';
import { asFlagError, eachFlag } from './runtime-flags.js';

export function addResourceRunFlags(cmd: Command): Command {
  return cmd
    .option('--pid <mode>', 'PID namespace to use (host, container:NAME)')
    .option('--ipc <mode>', 'IPC mode to use (private, shareable, none, host, container:NAME)')
    .option('--uts <mode>', 'UTS namespace to use (host)')
    .option('--shm-size <bytes>', 'size of /dev/shm (default 64m)')
    .option(
      '--device <spec>',
      'add a host device to the container (HOST[:CONTAINER[:PERMS]])',
      collect,
    )
    .option(
      '--device-cgroup-rule <rule>',
      "add a rule to the cgroup's allowed devices list",
      collect,
    )
    .option('--oom-score-adj <n>', "tune the host's OOM preferences (-1000 to 1000)")
    .option('--oom-kill-disable', 'disable the OOM killer')
    .option('--memory-reservation <bytes>', 'memory soft limit')
    .option('--cpuset-cpus <list>', 'CPUs in which to allow execution (0-3, 0,1)')
    .option('--cpuset-mems <list>', 'memory nodes (MEMs) in which to allow execution (0-3, 0,1)')
    .option('--gpus <request>', 'GPU devices to add to the container (refused: no GPU runtime)');
}

const str = (v: unknown): string | undefined => (v === undefined ? undefined : String(v));

function integer(flag: string, v: unknown): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!/^-?\d+$/.test(String(v).trim()) || !Number.isSafeInteger(n))
    throw new FlotillaError('INVALID_FLAG_VALUE', {
      flag,
      value: String(v),
      reason: 'not an integer',
    });
  return n;
}

/** The spec options of the flags; `hostname` and `memoryBytes` take part in the combined checks. */
export function resourceRunOptions(
  f: Record<string, unknown>,
  others: { hostname?: string; memoryBytes?: number },
): RuntimeSpecOptions {
  const o: RuntimeSpecOptions = {
    pidMode:
      str(f.pid) === undefined
        ? undefined
        : asFlagError('--pid', String(f.pid), () => checkNamespaceMode('--pid', String(f.pid))),
    ipcMode:
      str(f.ipc) === undefined
        ? undefined
        : asFlagError('--ipc', String(f.ipc), () => checkNamespaceMode('--ipc', String(f.ipc))),
    utsMode:
      str(f.uts) === undefined
        ? undefined
        : asFlagError('--uts', String(f.uts), () => checkNamespaceMode('--uts', String(f.uts))),
    shmSizeBytes: f.shmSize === undefined ? undefined : parseBytes(String(f.shmSize), '--shm-size'),
    devices: eachFlag('--device', f.device, (v) => parseDevice(v)),
    deviceCgroupRules: (f.deviceCgroupRule as string[] | undefined) ?? [],
    oomScoreAdj: integer('--oom-score-adj', f.oomScoreAdj),
    oomKillDisable: f.oomKillDisable ? true : undefined,
    memoryReservationBytes:
      f.memoryReservation === undefined
        ? undefined
        : parseBytes(String(f.memoryReservation), '--memory-reservation'),
    cpusetCpus: str(f.cpusetCpus),
    cpusetMems: str(f.cpusetMems),
    deviceRequests:
      f.gpus === undefined ? undefined : eachFlag('--gpus', [f.gpus], (v) => parseGpus(v)),
  };
  if (o.oomScoreAdj !== undefined)
    asFlagError('--oom-score-adj', String(o.oomScoreAdj), () => checkOomScoreAdj(o.oomScoreAdj!));
  const set = Object.fromEntries(
    Object.entries(o).filter(([, v]) => v !== undefined && !(Array.isArray(v) && !v.length)),
  ) as RuntimeSpecOptions;
  // The combined checks (--hostname with --uts host, a reservation above --memory, …) name their
  // own flag. --gpus goes to the agent, which refuses it as dockerd does (run: 125, create: 1).
  try {
    validateSpecOptions({ ...set, ...others, deviceRequests: undefined });
  } catch (err) {
    if (!isFlotillaError(err) || err.code !== 'CONTAINER_OPTION_INVALID') throw err;
    throw new FlotillaError('INVALID_FLAG_VALUE', {
      flag: String(err.params.option),
      value: String(err.params.value),
      reason: String(err.params.reason),
    });
  }
  return set;
}
