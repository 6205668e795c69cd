import { describe, expect, it } from 'vitest';
import { FlotillaError } from '../../../shared/errors/index.js';
import { checkRuntime, detectCgroupLayout } from './cgroup-mode.js';

// Mount tables as /proc/self/mountinfo shows them on the three kinds of host.
const hybrid = `22 1 0:21 / /sys rw,nosuid - sysfs sysfs rw
30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
31 30 0:28 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
39 30 0:36 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw`;
const unified = `22 1 0:21 / /sys rw,nosuid - sysfs sysfs rw
30 22 0:27 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime - cgroup2 cgroup2 rw,nsdelegate`;
const legacy = `30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory`;
// A cgroup2 mount elsewhere (a container runtime's own) does not make the host unified.
const hybridWithOptionalFields = `40 30 0:37 / /sys/fs/cgroup/unified rw,relatime shared:9 master:2 - cgroup2 cgroup2 rw
31 30 0:28 / /sys/fs/cgroup/cpu rw,relatime shared:3 - cgroup cgroup rw,cpu`;

const controllers = (text: string) => () => text;
const installed = () => true;

describe('cgroup layout detection', () => {
  it('calls a host with cgroup2 at /sys/fs/cgroup unified', () => {
    const l = detectCgroupLayout(unified, controllers('cpuset cpu io memory pids\n'));
    expect(l).toMatchObject({ mode: 'unified', v2Mount: '/sys/fs/cgroup', v1Mounts: [] });
    expect(l.v2Controllers).toEqual(['cpuset', 'cpu', 'io', 'memory', 'pids']);
  });

  it('calls v1 hierarchies beside /sys/fs/cgroup/unified hybrid and reads its controllers', () => {
    const l = detectCgroupLayout(hybrid, controllers('hugetlb\n'));
    expect(l.mode).toBe('hybrid');
    expect(l.v2Mount).toBe('/sys/fs/cgroup/unified');
    expect(l.v2Controllers).toEqual(['hugetlb']);
    expect(l.v1Mounts).toContain('/sys/fs/cgroup/memory');
  });

  it('reads mount lines with optional fields before the separator', () => {
    expect(detectCgroupLayout(hybridWithOptionalFields, controllers('')).mode).toBe('hybrid');
  });

  it('calls a host without cgroup2 legacy', () => {
    expect(detectCgroupLayout(legacy, controllers('')).mode).toBe('legacy');
  });
});

describe('runtime selection', () => {
  const host = (mountinfo: string, c = '') => ({
    layout: detectCgroupLayout(mountinfo, controllers(c)),
    installed,
  });

  it('accepts runc everywhere and crun on a unified host', () => {
    expect(checkRuntime('runc', host(hybrid, 'hugetlb'))).toBe('runc');
    expect(checkRuntime('runc', host(legacy))).toBe('runc');
    expect(checkRuntime('crun', host(unified, 'cpu memory'))).toBe('crun');
  });

  it('refuses crun on a hybrid host, saying why and which runtime works', () => {
    let err: FlotillaError | undefined;
    try {
      checkRuntime('crun', host(hybrid, 'hugetlb'));
    } catch (e) {
      err = e as FlotillaError;
    }
    expect(err?.code).toBe('RUNTIME_UNSUPPORTED');
    expect(err?.kind).toBe('failed_precondition');
    expect(err?.message).toBe(
      'crun cannot run containers on this host: cgroups on this host are hybrid, not unified cgroup v2: v1 controllers are mounted under /sys/fs/cgroup and cgroup v2 at /sys/fs/cgroup/unified, which holds controllers (hugetlb)',
    );
    expect(err?.hint).toMatch(/use --runtime runc/);
  });

  it('refuses crun on a v1-only host', () => {
    expect(() => checkRuntime('crun', host(legacy))).toThrow(/only cgroup v1/);
  });

  it('refuses an unknown runtime and one that is not installed', () => {
    expect(() => checkRuntime('kata', host(unified))).toThrow(
      'unknown runtime "kata" (known: runc, crun)',
    );
    expect(() =>
      checkRuntime('crun', { layout: host(unified).layout, installed: () => false }),
    ).toThrow('runtime crun is not installed on this node');
  });
});
