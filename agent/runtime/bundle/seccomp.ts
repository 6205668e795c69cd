// Converts a seccomp profile in Docker's format (archMap, includes/excludes on caps, arches and
// minKernel) into the OCI `linux.seccomp` object for one container, given its capabilities.
import { readFileSync } from 'node:fs';
import { release } from 'node:os';
import { fileURLToPath } from 'node:url';
import { FlotillaError } from '../../../shared/errors/index.js';

interface Filter {
  caps?: string[];
  arches?: string[];
  minKernel?: string;
}
interface DockerRule {
  names?: string[];
  name?: string;
  action: string;
  args?: { index: number; value: number; valueTwo?: number; op: string }[] | null;
  errnoRet?: number;
  includes?: Filter;
  excludes?: Filter;
}
export interface DockerSeccompProfile {
  defaultAction: string;
  defaultErrnoRet?: number;
  archMap?: { architecture: string; subArchitectures?: string[] }[];
  architectures?: string[];
  syscalls?: DockerRule[];
}
export interface OciSeccomp {
  defaultAction: string;
  defaultErrnoRet?: number;
  architectures: string[];
  syscalls: { names: string[]; action: string; errnoRet?: number; args?: DockerRule['args'] }[];
}

const nodeToGoArch: Record<string, string> = {
  x64: 'amd64',
  arm64: 'arm64',
  arm: 'arm',
  ia32: 'x86',
  s390x: 's390x',
  ppc64: 'ppc64le',
};
const goToScmp: Record<string, string> = {
  amd64: 'SCMP_ARCH_X86_64',
  arm64: 'SCMP_ARCH_AARCH64',
  arm: 'SCMP_ARCH_ARM',
  x86: 'SCMP_ARCH_X86',
  s390x: 'SCMP_ARCH_S390X',
  ppc64le: 'SCMP_ARCH_PPC64LE',
};

function kernelAtLeast(kernel: string, min: string): boolean {
  const a = kernel.split(/[.-]/).map((x) => parseInt(x, 10) || 0);
  const b = min.split('.').map((x) => parseInt(x, 10) || 0);
  for (let i = 0; i < 2; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  return true;
}

export function toOciSeccomp(
  profile: DockerSeccompProfile,
  caps: string[],
  host: { arch?: string; kernel?: string } = {},
): OciSeccomp {
  const goArch = host.arch ?? nodeToGoArch[process.arch] ?? process.arch;
  const kernel = host.kernel ?? release();
  const native = goToScmp[goArch];
  let architectures = profile.architectures ?? [];
  const mapped = profile.archMap?.find((a) => a.architecture === native);
  if (mapped) architectures = [mapped.architecture, ...(mapped.subArchitectures ?? [])];
  const matches = (f: Filter | undefined): { any: boolean; all: boolean } => {
    const checks: boolean[] = [];
    if (f?.caps?.length) checks.push(f.caps.every((c) => caps.includes(c)));
    if (f?.arches?.length) checks.push(f.arches.includes(goArch));
    if (f?.minKernel) checks.push(kernelAtLeast(kernel, f.minKernel));
    return { any: checks.some(Boolean), all: checks.every(Boolean) };
  };
  const syscalls: OciSeccomp['syscalls'] = [];
  for (const rule of profile.syscalls ?? []) {
    if (!matches(rule.includes).all) continue;
    // Docker: an `excludes` entry that matches drops the rule (caps: any of them granted).
    const ex = rule.excludes;
    if (ex?.caps?.some((c) => caps.includes(c))) continue;
    if (ex?.arches?.includes(goArch)) continue;
    if (ex?.minKernel && kernelAtLeast(kernel, ex.minKernel)) continue;
    const names = rule.names ?? (rule.name ? [rule.name] : []);
    if (!names.length) continue;
    syscalls.push({
      names,
      action: rule.action,
      ...(rule.errnoRet !== undefined ? { errnoRet: rule.errnoRet } : {}),
      ...(rule.args?.length ? { args: rule.args } : {}),
    });
  }
  return {
    defaultAction: profile.defaultAction,
    ...(profile.defaultErrnoRet !== undefined ? { defaultErrnoRet: profile.defaultErrnoRet } : {}),
    architectures,
    syscalls,
  };
}

let cachedDefault: DockerSeccompProfile | undefined;

/** Our default profile (agent/runtime/seccomp/default.json, kept beside the sources and dist). */
export function defaultSeccompProfile(): DockerSeccompProfile {
  if (!cachedDefault) {
    const candidates = [
      new URL('../seccomp/default.json', import.meta.url),
      // dist/ holds compiled JS only: fall back to the source tree next to it.
      new URL('../../../../agent/runtime/seccomp/default.json', import.meta.url),
      // a single-file bundle under node_modules/.<name>/ (tests, benchmarks)
      new URL('../../agent/runtime/seccomp/default.json', import.meta.url),
    ];
    let lastErr: unknown;
    for (const u of candidates) {
      try {
        cachedDefault = JSON.parse(readFileSync(fileURLToPath(u), 'utf8')) as DockerSeccompProfile;
        break;
      } catch (err) {
        lastErr = err;
      }
    }
    if (!cachedDefault)
      throw new FlotillaError(
        'SECCOMP_PROFILE_INVALID',
        { file: 'default.json', reason: String(lastErr) },
        { cause: lastErr },
      );
  }
  return cachedDefault;
}

export function loadSeccompProfile(file: string): DockerSeccompProfile {
  try {
    const p = JSON.parse(readFileSync(file, 'utf8')) as DockerSeccompProfile;
    if (typeof p.defaultAction !== 'string') throw new Error('no defaultAction');
    return p;
  } catch (err) {
    throw new FlotillaError(
      'SECCOMP_PROFILE_INVALID',
      { file, reason: (err as Error).message },
      { cause: err },
    );
  }
}
