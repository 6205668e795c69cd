// `--security-opt apparmor=` and `label=`: what the host's Linux security modules can honour.
// An option is applied (OCI process.apparmorProfile, process.selinuxLabel, linux.mountLabel) or
// refused with SECURITY_OPT_UNSUPPORTED; it is never accepted and then ignored.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FlotillaError } from '../../../shared/errors/index.js';

/** What the host offers; read from /sys (tests pass another root or a fake). */
export interface LsmHost {
  apparmorEnabled(): boolean;
  /** Profiles loaded in the kernel (/sys/kernel/security/apparmor/profiles). */
  apparmorProfiles(): string[];
  selinuxEnabled(): boolean;
}

export function hostLsm(sys = '/sys'): LsmHost {
  const read = (p: string) => {
    try {
      return readFileSync(join(sys, p), 'utf8');
    } catch {
      return '';
    }
  };
  return {
    apparmorEnabled: () => read('module/apparmor/parameters/enabled').trim() === 'Y',
    // Lines are "NAME (MODE)"; a name may contain spaces.
    apparmorProfiles: () =>
      read('kernel/security/apparmor/profiles')
        .split('\n')
        .filter(Boolean)
        .map((l) => (l.lastIndexOf(' (') > 0 ? l.slice(0, l.lastIndexOf(' (')) : l)),
    selinuxEnabled: () => existsSync(join(sys, 'fs/selinux/enforce')),
  };
}

/** The spec fields the options turn into; all absent when nothing is to be applied. */
export interface LsmSpec {
  apparmorProfile?: string;
  selinuxLabel?: string;
  mountLabel?: string;
}

// Docker's defaults for container processes and their files (container-selinux).
const PROCESS_LABEL = ['system_u', 'system_r', 'container_t', 's0'];
const MOUNT_LABEL = ['system_u', 'object_r', 'container_file_t', 's0'];
const LABEL_FIELDS = ['user', 'role', 'type', 'level', 'filetype', 'disable'];

const unsupported = (value: string, reason: string) =>
  new FlotillaError('SECURITY_OPT_UNSUPPORTED', { value, reason });
const invalid = (value: string, reason: string) =>
  new FlotillaError('CONTAINER_OPTION_INVALID', { option: '--security-opt', value, reason });

/**
 * `apparmor`: the profile to confine the process with ("unconfined" is always accepted: without
 * AppArmor every process is unconfined). `labels`: the values of each `label=` option, Docker's
 * forms `user:U`, `role:R`, `type:T`, `level:L`, `filetype:T` and `disable` (accepted everywhere:
 * without SELinux nothing is labelled). Throws SECURITY_OPT_UNSUPPORTED for what the host cannot do.
 */
export function lsmSpec(
  opts: { apparmor?: string; labels: string[] },
  host: LsmHost = hostLsm(),
): LsmSpec {
  const out: LsmSpec = {};
  const aa = opts.apparmor;
  if (aa !== undefined) {
    const raw = `apparmor=${aa}`;
    if (aa === '') throw invalid(raw, 'name a profile, or unconfined');
    if (host.apparmorEnabled()) {
      if (aa !== 'unconfined' && !host.apparmorProfiles().includes(aa))
        throw unsupported(raw, `the AppArmor profile "${aa}" is not loaded (apparmor_parser -r)`);
      out.apparmorProfile = aa;
    } else if (aa !== 'unconfined')
      throw unsupported(raw, 'AppArmor is not enabled (/sys/module/apparmor)');
  }
  if (opts.labels.length === 0) return out;
  const parts = new Map<string, string>();
  for (const l of opts.labels) {
    const i = l.indexOf(':');
    const key = i < 0 ? l : l.slice(0, i);
    const val = i < 0 ? '' : l.slice(i + 1);
    if (!LABEL_FIELDS.includes(key) || (key === 'disable') !== i < 0 || (i >= 0 && !val))
      throw invalid(
        `label=${l}`,
        'use label=user:U, role:R, type:T, level:L, filetype:T or disable',
      );
    parts.set(key, val);
  }
  if (parts.has('disable')) {
    if (parts.size > 1) throw invalid('label=disable', 'cannot be combined with other labels');
    return out; // no labels at all: what runs anyway without SELinux
  }
  if (!host.selinuxEnabled())
    throw unsupported(
      `label=${opts.labels.join(',')}`,
      'SELinux is not enabled (no /sys/fs/selinux)',
    );
  const proc = [...PROCESS_LABEL];
  const mount = [...MOUNT_LABEL];
  for (const [k, v] of parts) {
    if (k === 'user') proc[0] = mount[0] = v;
    else if (k === 'role') proc[1] = v;
    else if (k === 'type') proc[2] = v;
    else if (k === 'level') proc[3] = mount[3] = v;
    else if (k === 'filetype') mount[2] = v;
  }
  out.selinuxLabel = proc.join(':');
  out.mountLabel = mount.join(':');
  return out;
}
