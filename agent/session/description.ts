// What this machine tells the manager about itself when a session opens.
import { cpus, hostname as osHostname, machine, networkInterfaces, totalmem } from 'node:os';
import type { NodeDescription } from '../../shared/model/index.js';

export const engineVersion = '0.1.0';

function firstAddress(): string {
  for (const list of Object.values(networkInterfaces()))
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  return '127.0.0.1';
}

export function describeNode(
  opts: { hostname?: string; advertiseAddr?: string } = {},
): NodeDescription {
  return {
    hostname: opts.hostname || osHostname(),
    addr: opts.advertiseAddr || firstAddress(),
    platform: { os: 'linux', architecture: machine() },
    resources: { nanoCpus: cpus().length * 1e9, memoryBytes: totalmem() },
    engineVersion,
    engineLabels: {},
  };
}
