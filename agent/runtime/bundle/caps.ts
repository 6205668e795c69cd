// Docker's default capability set and the --cap-add/--cap-drop/--privileged arithmetic.
import { FlotillaError } from '../../../shared/errors/index.js';

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

/** Every capability the kernel of runc 1.1.5's era knows (what --privileged grants). */
export const allCaps = [
  ...defaultCaps,
  'CAP_DAC_READ_SEARCH',
  'CAP_LINUX_IMMUTABLE',
  'CAP_NET_BROADCAST',
  'CAP_NET_ADMIN',
  'CAP_IPC_LOCK',
  'CAP_IPC_OWNER',
  'CAP_SYS_MODULE',
  'CAP_SYS_RAWIO',
  'CAP_SYS_PTRACE',
  'CAP_SYS_PACCT',
  'CAP_SYS_ADMIN',
  'CAP_SYS_BOOT',
  'CAP_SYS_NICE',
  'CAP_SYS_RESOURCE',
  'CAP_SYS_TIME',
  'CAP_SYS_TTY_CONFIG',
  'CAP_LEASE',
  'CAP_AUDIT_CONTROL',
  'CAP_MAC_OVERRIDE',
  'CAP_MAC_ADMIN',
  'CAP_SYSLOG',
  'CAP_WAKE_ALARM',
  'CAP_BLOCK_SUSPEND',
  'CAP_AUDIT_READ',
  'CAP_PERFMON',
  'CAP_BPF',
  'CAP_CHECKPOINT_RESTORE',
];

function normalise(cap: string): string {
  const c = cap.trim().toUpperCase();
  if (c === 'ALL') return c;
  const full = c.startsWith('CAP_') ? c : `CAP_${c}`;
  if (!allCaps.includes(full))
    throw new FlotillaError('CONTAINER_OPTION_INVALID', {
      option: 'capability',
      value: cap,
      reason: 'unknown capability',
    });
  return full;
}

/** Docker's TweakCapabilities: start from the defaults, add, then drop (ALL works on either side). */
export function effectiveCaps(opts: {
  capAdd?: string[];
  capDrop?: string[];
  privileged?: boolean;
}): string[] {
  if (opts.privileged) return [...allCaps];
  const add = (opts.capAdd ?? []).map(normalise);
  const drop = (opts.capDrop ?? []).map(normalise);
  let caps = add.includes('ALL')
    ? [...allCaps]
    : [...defaultCaps, ...add.filter((c) => !defaultCaps.includes(c))];
  if (drop.includes('ALL')) caps = add.filter((c) => c !== 'ALL');
  else caps = caps.filter((c) => !drop.includes(c) || add.includes(c));
  return [...new Set(caps)];
}
