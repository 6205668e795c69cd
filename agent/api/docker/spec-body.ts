// The HostConfig fields of Docker's create body that shape the OCI spec (namespace modes, /dev/shm,
// devices, OOM, memory reservation, cpusets, GPU requests) → the runtime's options. The runtime
// checks the values (shared/engine/spec-options.ts), as it does the CLI's.
import type { DeviceMapping, RuntimeSpecOptions } from '../../../shared/engine/index.js';
import { isSet, refuse } from './body-fields.js';

type Doc = Record<string, unknown>;

export const specHostConfigFields = [
  'PidMode',
  'IpcMode',
  'UTSMode',
  'ShmSize',
  'Devices',
  'DeviceCgroupRules',
  'DeviceRequests',
  'OomScoreAdj',
  'OomKillDisable',
  'MemoryReservation',
  'CpusetCpus',
  'CpusetMems',
];

function text(hc: Doc, field: string): string | undefined {
  const v = hc[field];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') refuse(`HostConfig.${field}`, 'must be a string');
  return v;
}

function integer(hc: Doc, field: string): number | undefined {
  const v = hc[field];
  if (v === undefined || v === null || v === 0) return undefined;
  if (typeof v !== 'number' || !Number.isSafeInteger(v))
    refuse(`HostConfig.${field}`, 'must be an integer');
  return v;
}

function devices(v: unknown): DeviceMapping[] | undefined {
  if (!isSet(v)) return undefined;
  if (!Array.isArray(v)) refuse('HostConfig.Devices', 'must be a list');
  return (v as Doc[]).map((d, i) => {
    const host = d.PathOnHost;
    if (typeof host !== 'string' || !host)
      refuse(`HostConfig.Devices[${i}].PathOnHost`, 'is required');
    return {
      pathOnHost: host,
      pathInContainer: (d.PathInContainer as string) || host,
      cgroupPermissions: (d.CgroupPermissions as string) || 'rwm',
    };
  });
}

export function specOptions(hc: Doc): RuntimeSpecOptions {
  const requests = isSet(hc.DeviceRequests)
    ? (hc.DeviceRequests as Doc[]).map((r) => ({
        driver: (r.Driver as string) ?? '',
        count: (r.Count as number) ?? 0,
        deviceIds: (r.DeviceIDs as string[] | null) ?? undefined,
        capabilities: (r.Capabilities as string[][] | null) ?? [],
      }))
    : undefined;
  const rules = hc.DeviceCgroupRules;
  if (isSet(rules) && (!Array.isArray(rules) || rules.some((r) => typeof r !== 'string')))
    refuse('HostConfig.DeviceCgroupRules', 'must be a list of strings');
  const o: RuntimeSpecOptions = {
    pidMode: text(hc, 'PidMode'),
    ipcMode: text(hc, 'IpcMode'),
    utsMode: text(hc, 'UTSMode'),
    shmSizeBytes: integer(hc, 'ShmSize'),
    devices: devices(hc.Devices),
    deviceCgroupRules: isSet(rules) ? (rules as string[]) : undefined,
    deviceRequests: requests,
    oomScoreAdj: integer(hc, 'OomScoreAdj'),
    oomKillDisable: hc.OomKillDisable === true || undefined,
    memoryReservationBytes: integer(hc, 'MemoryReservation'),
    cpusetCpus: text(hc, 'CpusetCpus'),
    cpusetMems: text(hc, 'CpusetMems'),
  };
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}
