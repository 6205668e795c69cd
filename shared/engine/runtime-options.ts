// Docker's per-container runtime knobs as text (extra hosts, sysctls, ulimits, DNS, groups,
// capabilities): one parser each, used by `run`, `service create/update`, stack files and the agent,
// so every entry point accepts and refuses the same values. Errors name the option and the value.
import { isIP } from 'node:net';
import { FlotillaError } from '../errors/index.js';
import type { Ulimit } from '../model/index.js';

export type { Ulimit };

/** Linux capability names by number (linux/capability.h). */
export const capabilityNames = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_DAC_READ_SEARCH',
  'CAP_FOWNER',
  'CAP_FSETID',
  'CAP_KILL',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETPCAP',
  'CAP_LINUX_IMMUTABLE',
  'CAP_NET_BIND_SERVICE',
  'CAP_NET_BROADCAST',
  'CAP_NET_ADMIN',
  'CAP_NET_RAW',
  'CAP_IPC_LOCK',
  'CAP_IPC_OWNER',
  'CAP_SYS_MODULE',
  'CAP_SYS_RAWIO',
  'CAP_SYS_CHROOT',
  'CAP_SYS_PTRACE',
  'CAP_SYS_PACCT',
  'CAP_SYS_ADMIN',
  'CAP_SYS_BOOT',
  'CAP_SYS_NICE',
  'CAP_SYS_RESOURCE',
  'CAP_SYS_TIME',
  'CAP_SYS_TTY_CONFIG',
  'CAP_MKNOD',
  'CAP_LEASE',
  'CAP_AUDIT_WRITE',
  'CAP_AUDIT_CONTROL',
  'CAP_SETFCAP',
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

/** setrlimit(2) resources by Docker's names (go-units ulimit.go). */
export const ulimitNames = [
  'as',
  'core',
  'cpu',
  'data',
  'fsize',
  'locks',
  'memlock',
  'msgqueue',
  'nice',
  'nofile',
  'nproc',
  'rss',
  'rtprio',
  'rttime',
  'sigpending',
  'stack',
];

/** What `host-gateway` in an extra host stands for: the address of the container's gateway. */
export const HOST_GATEWAY = 'host-gateway';

const invalid = (option: string, value: string, reason: string): FlotillaError =>
  new FlotillaError('CONTAINER_OPTION_INVALID', { option, value, reason });

/** `nofile=1024:2048` or `nofile=1024` (soft = hard). */
export function parseUlimit(spec: string, option = '--ulimit'): Ulimit {
  const m = /^([a-z]+)=(\d+)(?::(\d+))?$/.exec(spec.trim());
  if (!m) throw invalid(option, spec, 'expected NAME=SOFT[:HARD] with whole numbers');
  return checkUlimit({ name: m[1], soft: Number(m[2]), hard: Number(m[3] ?? m[2]) }, option);
}

export function checkUlimit(u: Ulimit, option = '--ulimit'): Ulimit {
  const text = `${u.name}=${u.soft}:${u.hard}`;
  if (!ulimitNames.includes(u.name))
    throw invalid(option, text, `unknown limit; known: ${ulimitNames.join(', ')}`);
  for (const n of [u.soft, u.hard])
    if (!Number.isSafeInteger(n) || n < 0)
      throw invalid(option, text, 'limits are whole numbers from 0');
  if (u.soft > u.hard) throw invalid(option, text, 'the soft limit exceeds the hard limit');
  return u;
}

/**
 * `name:ip` (Docker's --add-host; `name=ip` too), the IP may be IPv6 (in brackets or not) or
 * `host-gateway`. Returns the canonical `name:ip`.
 */
export function parseExtraHost(spec: string, option = '--add-host'): string {
  const s = spec.trim();
  const at = s.search(/[:=]/);
  const name = at < 0 ? '' : s.slice(0, at);
  let ip = at < 0 ? '' : s.slice(at + 1);
  if (ip.startsWith('[') && ip.endsWith(']')) ip = ip.slice(1, -1);
  if (!name || !/^[A-Za-z0-9_.-]+$/.test(name))
    throw invalid(option, spec, 'expected HOST:IP with a host name of letters, digits, . _ -');
  if (ip !== HOST_GATEWAY && !isIP(ip))
    throw invalid(option, spec, `"${ip}" is not an IP address (or ${HOST_GATEWAY})`);
  return `${name}:${ip}`;
}

/** Sysctls Docker lets a container set: those the kernel keeps per IPC or network namespace. */
const ipcSysctls = [
  'kernel.msgmax',
  'kernel.msgmnb',
  'kernel.msgmni',
  'kernel.sem',
  'kernel.shmall',
  'kernel.shmmax',
  'kernel.shmmni',
  'kernel.shm_rmid_forced',
];

/** Refuses a sysctl outside the container's namespaces (it would change the host) or malformed. */
export function checkSysctl(key: string, value: string, option = '--sysctl'): void {
  const text = `${key}=${value}`;
  if (!/^[a-z0-9_-]+(\.[a-z0-9_-]+)+$/i.test(key))
    throw invalid(option, text, 'expected a dotted kernel parameter name, e.g. net.core.somaxconn');
  const namespaced =
    ipcSysctls.includes(key) || key.startsWith('net.') || key.startsWith('fs.mqueue.');
  if (!namespaced)
    throw invalid(
      option,
      text,
      'not a namespaced sysctl (allowed: net.*, fs.mqueue.*, kernel.msg*, kernel.sem, kernel.shm*)',
    );
  if (/[\n\r\0]/.test(value) || value.length > 4096)
    throw invalid(option, text, 'the value must be one line');
}

/** `KEY=VALUE` → [key, value], checked. */
export function parseSysctl(spec: string, option = '--sysctl'): [string, string] {
  const i = spec.indexOf('=');
  if (i < 1) throw invalid(option, spec, 'expected KEY=VALUE');
  const [k, v] = [spec.slice(0, i).trim(), spec.slice(i + 1).trim()];
  checkSysctl(k, v, option);
  return [k, v];
}

export function checkNameserver(ip: string, option = '--dns'): string {
  if (!isIP(ip.trim())) throw invalid(option, ip, 'not an IP address');
  return ip.trim();
}

/** A search domain (`.` means none, as Docker). */
export function checkDnsSearch(domain: string, option = '--dns-search'): string {
  const d = domain.trim();
  if (d !== '.' && (!/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*\.?$/.test(d) || d.length > 253))
    throw invalid(option, domain, 'not a domain name');
  return d;
}

/** A resolv.conf option (`ndots:2`, `timeout:1`, `rotate`, `edns0`). */
export function checkDnsOption(opt: string, option = '--dns-option'): string {
  const o = opt.trim();
  if (!/^[A-Za-z0-9_-]+(:[A-Za-z0-9_.-]+)?$/.test(o))
    throw invalid(option, opt, 'expected a resolv.conf option such as ndots:2 or rotate');
  return o;
}

/** A supplementary group by name or number. */
export function checkGroup(group: string, option = '--group-add'): string {
  const g = group.trim();
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(g))
    throw invalid(option, group, 'expected a group name or a numeric id');
  return g;
}

/** `NET_ADMIN`, `cap_net_admin` or `ALL` → Docker's canonical `CAP_NET_ADMIN` / `ALL`. */
export function checkCapability(cap: string, option = '--cap-add'): string {
  const c = cap.trim().toUpperCase();
  if (c === 'ALL') return c;
  const full = c.startsWith('CAP_') ? c : `CAP_${c}`;
  if (!capabilityNames.includes(full)) throw invalid(option, cap, 'unknown capability');
  return full;
}
