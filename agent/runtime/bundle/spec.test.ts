import { describe, expect, it } from 'vitest';
import type { ContainerCreateOptions } from '../types.js';
import { allCaps, capsInMask, defaultCaps, effectiveCaps } from './caps.js';
import { mergeConfig } from './merge.js';
import { buildSpec, maskedPaths, readonlyPaths } from './spec.js';

type Spec = {
  process: {
    capabilities: Record<string, string[]>;
    env: string[];
    noNewPrivileges: boolean;
    args: string[];
  };
  root: { path: string; readonly: boolean };
  mounts: { destination: string; type: string; source: string; options: string[] }[];
  linux: {
    cgroupsPath: string;
    namespaces: { type: string; path?: string }[];
    resources: Record<string, any>;
    maskedPaths?: string[];
    readonlyPaths?: string[];
    seccomp?: { syscalls: { names: string[] }[] };
  };
};

function spec(o: Partial<ContainerCreateOptions> = {}): Spec {
  const opts = { image: 'img', cmd: ['sh'], ...o };
  return buildSpec({
    id: 'abc123',
    config: mergeConfig('img', {}, opts, 'abc123'),
    opts,
    user: { uid: 0, gid: 0, additionalGids: [], home: '/root' },
    rootfs: '/snap/merged',
    netnsPath: '/run/netns/x',
    files: { hosts: '/c/hosts', hostname: '/c/hostname', resolvConf: '/c/resolv.conf' },
    binds: [],
  }) as unknown as Spec;
}

describe('bundle defaults (Docker posture)', () => {
  const s = spec();
  it('grants the default capabilities in bounding/effective/permitted only', () => {
    expect(s.process.capabilities).toEqual({
      bounding: defaultCaps,
      effective: defaultCaps,
      permitted: defaultCaps,
    });
    expect(s.process.noNewPrivileges).toBe(false);
    expect(s.process.env).toContain('HOME=/root');
  });
  it('masks and write-protects /proc and /sys paths', () => {
    for (const p of maskedPaths) expect(s.linux.maskedPaths).toContain(p);
    expect(s.linux.readonlyPaths).toEqual(readonlyPaths);
  });
  it('denies devices except the standard allow-list, fuse explicitly', () => {
    const d = s.linux.resources.devices as { allow: boolean; major?: number; minor?: number }[];
    expect(d[0]).toEqual({ allow: false, access: 'rwm' });
    const allowed = d.filter((x) => x.allow).map((x) => `${x.major}:${x.minor}`);
    for (const dev of ['1:3', '1:5', '1:8', '1:9', '5:0', '5:1']) expect(allowed).toContain(dev);
    expect(d).toContainEqual({ allow: false, type: 'c', major: 10, minor: 229, access: 'rwm' });
  });
  it('joins the prepared netns, has no cgroup namespace, and uses /flotilla/<id>', () => {
    expect(s.linux.namespaces.map((n) => n.type)).toEqual([
      'pid',
      'ipc',
      'uts',
      'mount',
      'network',
    ]);
    expect(s.linux.namespaces[4].path).toBe('/run/netns/x');
    expect(s.linux.cgroupsPath).toBe('/flotilla/abc123');
    expect(s.linux.resources.memory).toBeUndefined();
  });
  it('mounts proc, a read-only sysfs and cgroup, and binds the generated /etc files', () => {
    const m = Object.fromEntries(s.mounts.map((x) => [x.destination, x]));
    expect(m['/proc'].type).toBe('proc');
    expect(m['/sys'].options).toContain('ro');
    expect(m['/sys/fs/cgroup'].options).toContain('ro');
    expect(m['/etc/hosts']).toEqual({
      destination: '/etc/hosts',
      type: 'bind',
      source: '/c/hosts',
      options: ['rbind', 'rprivate'],
    });
    expect(s.root).toEqual({ path: '/snap/merged', readonly: false });
  });
  it('filters seccomp by the granted caps', () => {
    const names = s.linux.seccomp!.syscalls.flatMap((r) => r.names);
    expect(names).not.toContain('mount');
    const admin = spec({ capAdd: ['SYS_ADMIN'] }).linux.seccomp!.syscalls.flatMap((r) => r.names);
    expect(admin).toContain('mount');
  });
});

describe('bundle from run-time options', () => {
  it('--memory/--memory-swap/--cpus/--cpu-shares/--pids-limit become cgroup resources', () => {
    const r = spec({
      memoryBytes: 512 << 20,
      nanoCpus: 1.5e9,
      cpuShares: 512,
      pidsLimit: 100,
    }).linux.resources;
    expect(r.memory).toEqual({ limit: 512 << 20, swap: 1024 << 20 });
    expect(r.cpu).toEqual({ shares: 512, period: 100000, quota: 150000 });
    expect(r.pids).toEqual({ limit: 100 });
    expect(spec({ memoryBytes: 64 << 20, memorySwapBytes: -1 }).linux.resources.memory.swap).toBe(
      -1,
    );
    expect(
      spec({ memoryBytes: 64 << 20, memorySwapBytes: 64 << 20 }).linux.resources.memory.swap,
    ).toBe(64 << 20);
  });
  it('--read-only makes the root and the generated files read-only', () => {
    const s = spec({ readOnlyRootfs: true });
    expect(s.root.readonly).toBe(true);
    expect(s.mounts.find((m) => m.destination === '/etc/hosts')!.options).toContain('ro');
  });
  it('--tmpfs adds a tmpfs with its options', () => {
    const m = spec({ tmpfs: { '/run': 'size=1m,mode=700' } }).mounts.find(
      (x) => x.destination === '/run',
    );
    expect(m).toEqual({
      destination: '/run',
      type: 'tmpfs',
      source: 'tmpfs',
      options: ['nosuid', 'nodev', 'noexec', 'size=1m', 'mode=700'],
    });
  });
  it('--privileged: all caps and devices, no masks, no seccomp, writable sysfs', () => {
    const s = spec({ privileged: true });
    expect(s.process.capabilities.bounding).toEqual(allCaps);
    expect(s.linux.resources.devices).toEqual([{ allow: true, access: 'rwm' }]);
    expect(s.linux.maskedPaths).toBeUndefined();
    expect(s.linux.seccomp).toBeUndefined();
    expect(s.mounts.find((m) => m.destination === '/sys')!.options).toContain('rw');
  });
  it('--security-opt no-new-privileges and seccomp=unconfined', () => {
    const s = spec({ securityOpt: ['no-new-privileges', 'seccomp=unconfined'] });
    expect(s.process.noNewPrivileges).toBe(true);
    expect(s.linux.seccomp).toBeUndefined();
  });
  it('refuses a relative or /proc/self/fd working directory', () => {
    expect(() => spec({ workingDir: '/proc/self/fd/7' })).toThrow(/working directory/);
  });
});

describe('--cap-add / --cap-drop', () => {
  it('adds and drops with or without the CAP_ prefix, any case', () => {
    const c = effectiveCaps({ capAdd: ['net_admin'], capDrop: ['CAP_CHOWN', 'kill'] });
    expect(c).toContain('CAP_NET_ADMIN');
    expect(c).not.toContain('CAP_CHOWN');
    expect(c).not.toContain('CAP_KILL');
    expect(c).toHaveLength(defaultCaps.length - 1);
  });
  it('drop ALL keeps only what is added; add ALL grants everything', () => {
    expect(effectiveCaps({ capDrop: ['ALL'], capAdd: ['NET_BIND_SERVICE'] })).toEqual([
      'CAP_NET_BIND_SERVICE',
    ]);
    expect(effectiveCaps({ capAdd: ['ALL'] }).sort()).toEqual([...allCaps].sort());
  });
  it('refuses an unknown capability', () => {
    expect(() => effectiveCaps({ capAdd: ['FLY'] })).toThrow(/unknown capability/);
  });
  it('reads a CapBnd mask by capability number', () => {
    expect(capsInMask('a80425fb').sort()).toEqual([...defaultCaps].sort());
    expect(capsInMask('1ffffffffff').sort()).toEqual([...allCaps].sort());
  });
  it('--privileged and add ALL grant only what the agent holds itself', () => {
    // This development sandbox's bounding set: everything but CAP_SYS_RESOURCE (bit 24).
    const bounding = capsInMask('1fffeffffff');
    const all = allCaps.filter((c) => c !== 'CAP_SYS_RESOURCE').sort();
    expect(effectiveCaps({ privileged: true }, bounding).sort()).toEqual(all);
    expect(effectiveCaps({ capAdd: ['ALL'] }, bounding).sort()).toEqual(all);
    expect(effectiveCaps({}, bounding).sort()).toEqual([...defaultCaps].sort());
  });
});
