// Docker's default capability set and the --cap-add/--cap-drop/--privileged arithmetic.
import { readFileSync } from 'node:fs';
import { capabilityNames, checkCapability } from '../../../shared/engine/index.js';

export const defaultCaps = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_FSETID',
  'CAP_FOWNER',
  'CAP_MKNOD',
  'CAP_NET_RAW',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETFCAP',
  'CAP_SETPCAP',
  'CAP_NET_BIND_SERVICE',
  'CAP_SYS_CHROOT',
  'CAP_KILL',
  'CAP_AUDIT_WRITE',
];

/** Capability names by number (linux/capability.h), for reading a CapBnd mask. */
const capsByNumber = capabilityNames;

/** Every capability the kernel of runc 1.1.5's era knows (what --privileged grants), defaults first. */
export const allCaps = [...defaultCaps, ...capsByNumber.filter((c) => !defaultCaps.includes(c))];

/** The capabilities named in a CapBnd hex mask from /proc/<pid>/status. */
export function capsInMask(hex: string): string[] {
  const mask = BigInt(`0x${hex}`);
  return capsByNumber.filter((_, bit) => (mask >> BigInt(bit)) & 1n);
}

/**
 * The agent's own bounding set: all it can hand to a container. In a restricted or nested host
 * (this development sandbox lacks CAP_SYS_RESOURCE) runc refuses a capability outside it
 * ("unable to apply caps: operation not permitted").
 */
export function agentBoundingCaps(): string[] | undefined {
  try {
    const m = /^CapBnd:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? capsInMask(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

const normalise = (cap: string): string => checkCapability(cap, 'capability');

/**
 * Docker's TweakCapabilities: start from the defaults, add, then drop (ALL works on either side).
 * "All" (--privileged, --cap-add ALL) means all within `bounding`, the agent's own bounding set
 * when given, as containerd's WithAllCurrentCapabilities; caps named one by one are not filtered.
 */
export function effectiveCaps(
  opts: {
    capAdd?: string[];
    capDrop?: string[];
    privileged?: boolean;
  },
  bounding?: string[],
): string[] {
  const everything = bounding ? allCaps.filter((c) => bounding.includes(c)) : [...allCaps];
  if (opts.privileged) return everything;
  const add = (opts.capAdd ?? []).map(normalise);
  const drop = (opts.capDrop ?? []).map(normalise);
  let caps = add.includes('ALL')
    ? everything
    : [...defaultCaps, ...add.filter((c) => !defaultCaps.includes(c))];
  if (drop.includes('ALL')) caps = add.filter((c) => c !== 'ALL');
  else caps = caps.filter((c) => !drop.includes(c) || add.includes(c));
  return [...new Set(caps)];
}
