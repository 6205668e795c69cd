import { describe, expect, it } from 'vitest';
import { defaultSeccompProfile, toOciSeccomp, type DockerSeccompProfile } from './seccomp.js';

const profile: DockerSeccompProfile = {
  defaultAction: 'SCMP_ACT_ERRNO',
  defaultErrnoRet: 1,
  archMap: [
    { architecture: 'SCMP_ARCH_X86_64', subArchitectures: ['SCMP_ARCH_X86', 'SCMP_ARCH_X32'] },
    { architecture: 'SCMP_ARCH_AARCH64', subArchitectures: ['SCMP_ARCH_ARM'] },
  ],
  syscalls: [
    { names: ['read', 'write'], action: 'SCMP_ACT_ALLOW' },
    { names: ['mount'], action: 'SCMP_ACT_ALLOW', includes: { caps: ['CAP_SYS_ADMIN'] } },
    {
      names: ['ptrace'],
      action: 'SCMP_ACT_ALLOW',
      includes: { caps: ['CAP_SYS_PTRACE'], minKernel: '4.8' },
    },
    { names: ['arch_prctl'], action: 'SCMP_ACT_ALLOW', includes: { arches: ['amd64', 'x32'] } },
    {
      names: ['clone'],
      action: 'SCMP_ACT_ALLOW',
      excludes: { caps: ['CAP_SYS_ADMIN'] },
      args: [{ index: 0, value: 2114060288, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }],
    },
    { names: ['newer'], action: 'SCMP_ACT_ALLOW', includes: { minKernel: '6.9' } },
    { names: ['personality'], action: 'SCMP_ACT_ERRNO', errnoRet: 38 },
  ],
};
const host = { arch: 'amd64', kernel: '6.1.0-18-amd64' };
const names = (s: ReturnType<typeof toOciSeccomp>) => s.syscalls.flatMap((r) => r.names);

describe('seccomp conversion (Docker format → OCI)', () => {
  it('keeps the default action and picks the host architecture with its sub-architectures', () => {
    const s = toOciSeccomp(profile, [], host);
    expect(s.defaultAction).toBe('SCMP_ACT_ERRNO');
    expect(s.defaultErrnoRet).toBe(1);
    expect(s.architectures).toEqual(['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32']);
    expect(toOciSeccomp(profile, [], { ...host, arch: 'arm64' }).architectures).toEqual([
      'SCMP_ARCH_AARCH64',
      'SCMP_ARCH_ARM',
    ]);
  });
  it('includes caps-gated rules only when the capability is granted', () => {
    expect(names(toOciSeccomp(profile, ['CAP_CHOWN'], host))).not.toContain('mount');
    expect(names(toOciSeccomp(profile, ['CAP_SYS_ADMIN'], host))).toContain('mount');
    expect(names(toOciSeccomp(profile, ['CAP_SYS_PTRACE'], host))).toContain('ptrace');
    expect(
      names(toOciSeccomp(profile, ['CAP_SYS_PTRACE'], { ...host, kernel: '4.4.0' })),
    ).not.toContain('ptrace');
  });
  it('drops a rule whose excludes match (a granted cap), and filters by arch and kernel', () => {
    expect(names(toOciSeccomp(profile, [], host))).toContain('clone');
    expect(names(toOciSeccomp(profile, ['CAP_SYS_ADMIN'], host))).not.toContain('clone');
    expect(names(toOciSeccomp(profile, [], host))).toContain('arch_prctl');
    expect(names(toOciSeccomp(profile, [], { ...host, arch: 'arm64' }))).not.toContain(
      'arch_prctl',
    );
    expect(names(toOciSeccomp(profile, [], host))).not.toContain('newer');
    expect(names(toOciSeccomp(profile, [], { ...host, kernel: '6.10.1' }))).toContain('newer');
  });
  it('copies args and errnoRet as they are', () => {
    const s = toOciSeccomp(profile, [], host);
    expect(s.syscalls.find((r) => r.names[0] === 'clone')?.args).toEqual([
      { index: 0, value: 2114060288, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' },
    ]);
    expect(s.syscalls.find((r) => r.names[0] === 'personality')?.errnoRet).toBe(38);
    expect(s.syscalls.find((r) => r.names[0] === 'read')).toEqual({
      names: ['read', 'write'],
      action: 'SCMP_ACT_ALLOW',
    });
  });
  it('converts the shipped default profile: mount only with CAP_SYS_ADMIN', () => {
    const d = defaultSeccompProfile();
    const plain = names(toOciSeccomp(d, ['CAP_CHOWN'], host));
    expect(plain).toContain('read');
    expect(plain).not.toContain('mount');
    expect(names(toOciSeccomp(d, ['CAP_SYS_ADMIN'], host))).toContain('mount');
  });
});
