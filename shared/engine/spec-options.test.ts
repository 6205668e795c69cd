import { describe, expect, it } from 'vitest';
import {
  checkNamespaceMode,
  parseCpuset,
  parseDevice,
  parseDeviceCgroupRule,
  parseGpus,
  validateSpecOptions,
} from './spec-options.js';

describe('spec options', () => {
  it.each([
    ['/dev/null', '/dev/null', 'rwm'],
    ['/dev/null:/dev/mynull', '/dev/mynull', 'rwm'],
    ['/dev/null:r', '/dev/null', 'r'],
    ['/dev/null:/dev/mynull:rw', '/dev/mynull', 'rw'],
  ])('reads --device %s', (spec, inContainer, perms) => {
    expect(parseDevice(spec)).toEqual({
      pathOnHost: '/dev/null',
      pathInContainer: inContainer,
      cgroupPermissions: perms,
    });
  });

  it.each([
    'dev/null',
    '/dev/null:dev/x',
    '/dev/null:/dev/x:rwx',
    '/dev/null:/dev/x:rr',
    'a:b:c:d',
  ])('refuses --device %s, naming the flag', (spec) => {
    expect(() => parseDevice(spec)).toThrow(/invalid --device/);
  });

  it('reads device cgroup rules with wildcards', () => {
    expect(parseDeviceCgroupRule('c 1:3 rwm')).toEqual({
      type: 'c',
      major: 1,
      minor: 3,
      access: 'rwm',
    });
    expect(parseDeviceCgroupRule('b 7:* r')).toEqual({ type: 'b', major: 7, access: 'r' });
    expect(() => parseDeviceCgroupRule('x 1:3 r')).toThrow(/--device-cgroup-rule/);
    expect(() => parseDeviceCgroupRule('c 1:3')).toThrow(/--device-cgroup-rule/);
  });

  it('checks namespace modes: container:NAME for --pid and --ipc', () => {
    expect(checkNamespaceMode('--pid', 'host')).toBe('host');
    expect(checkNamespaceMode('--pid', 'container:db')).toBe('container:db');
    expect(checkNamespaceMode('--ipc', 'shareable')).toBe('shareable');
    expect(checkNamespaceMode('--ipc', 'container:db')).toBe('container:db');
    expect(() => checkNamespaceMode('--ipc', 'container:')).toThrow(
      /use private, .*container:NAME/,
    );
    expect(() => checkNamespaceMode('--uts', 'container:db')).toThrow(/use host/);
    expect(() => checkNamespaceMode('--pid', 'private')).toThrow(/use host, container:NAME/);
  });

  it('reads cpusets and refuses malformed ones', () => {
    expect(parseCpuset('0-2,5', '--cpuset-cpus')).toEqual([0, 1, 2, 5]);
    expect(() => parseCpuset('2-1', '--cpuset-cpus')).toThrow(/--cpuset-cpus/);
    expect(() => parseCpuset('a', '--cpuset-mems')).toThrow(/--cpuset-mems/);
  });

  it('reads --gpus as Docker does, and refuses it as Docker does without a GPU runtime', () => {
    expect(parseGpus('all')).toEqual({ driver: '', count: -1, capabilities: [['gpu']] });
    expect(parseGpus('device=0,device=1').deviceIds).toEqual(['0', '1']);
    expect(() => parseGpus('lots')).toThrow(/--gpus/);
    expect(() => validateSpecOptions({ deviceRequests: [parseGpus('2')] })).toThrow(
      'could not select device driver "" with capabilities: [[gpu]]',
    );
  });

  it('refuses what Docker refuses together', () => {
    expect(() => validateSpecOptions({ utsMode: 'host', hostname: 'x' })).toThrow(
      /conflicting options: hostname and the UTS mode/,
    );
    expect(() => validateSpecOptions({ shmSizeBytes: 0 })).toThrow(/--shm-size/);
    expect(() => validateSpecOptions({ oomScoreAdj: -1001 })).toThrow(/--oom-score-adj/);
    expect(() => validateSpecOptions({ memoryReservationBytes: 1024 })).toThrow(/6MB/);
    expect(() =>
      validateSpecOptions({ memoryReservationBytes: 64 << 20, memoryBytes: 32 << 20 }),
    ).toThrow(/--memory-reservation.*--memory limit/);
    expect(() =>
      validateSpecOptions({ pidMode: 'host', ipcMode: 'host', utsMode: 'host', oomScoreAdj: 1000 }),
    ).not.toThrow();
  });
});
