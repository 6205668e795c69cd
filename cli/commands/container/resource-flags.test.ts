import { describe, expect, it } from 'vitest';
import { isFlotillaError } from '../../../shared/errors/index.js';
import { toCreateOptions } from './options.js';

describe('run spec flags', () => {
  it('turns the namespace, shm, device, OOM and cpuset flags into create options', () => {
    const o = toCreateOptions('busybox', [], {
      pid: 'host',
      ipc: 'shareable',
      uts: 'host',
      shmSize: '128m',
      device: ['/dev/null:/dev/mynull:r'],
      deviceCgroupRule: ['c 1:3 rw'],
      oomScoreAdj: '-10',
      oomKillDisable: true,
      memory: '64m',
      memoryReservation: '32m',
      cpusetCpus: '0',
      cpusetMems: '0',
    });
    expect(o).toMatchObject({
      pidMode: 'host',
      ipcMode: 'shareable',
      utsMode: 'host',
      shmSizeBytes: 128 << 20,
      devices: [
        { pathOnHost: '/dev/null', pathInContainer: '/dev/mynull', cgroupPermissions: 'r' },
      ],
      deviceCgroupRules: ['c 1:3 rw'],
      oomScoreAdj: -10,
      oomKillDisable: true,
      memoryReservationBytes: 32 << 20,
      cpusetCpus: '0',
      cpusetMems: '0',
    });
  });

  it('sends nothing for flags not given', () => {
    const o = toCreateOptions('busybox', [], {});
    for (const k of ['pidMode', 'devices', 'deviceCgroupRules', 'oomKillDisable', 'shmSizeBytes'])
      expect(o).not.toHaveProperty(k);
  });

  it.each([
    [{ pid: 'nope' }, '--pid'],
    [{ ipc: 'container:' }, '--ipc'],
    [{ uts: 'host', hostname: 'x' }, '--hostname'],
    [{ oomScoreAdj: '1.5' }, '--oom-score-adj'],
    [{ oomScoreAdj: '-1001' }, '--oom-score-adj'],
    [{ device: ['relative'] }, '--device'],
    [{ deviceCgroupRule: ['c 1'] }, '--device-cgroup-rule'],
    [{ cpusetCpus: 'x' }, '--cpuset-cpus'],
    [{ memory: '16m', memoryReservation: '32m' }, '--memory-reservation'],
  ])('refuses %j as a flag error naming %s', (flags, flag) => {
    let err: unknown;
    try {
      toCreateOptions('busybox', [], flags);
    } catch (e) {
      err = e;
    }
    expect(isFlotillaError(err) && err.code).toBe('INVALID_FLAG_VALUE');
    expect(isFlotillaError(err) && err.params.flag).toBe(flag);
  });

  it('sends --gpus as Docker’s device request, for the agent to refuse', () => {
    expect(toCreateOptions('busybox', [], { gpus: 'all' }).deviceRequests).toEqual([
      { driver: '', count: -1, capabilities: [['gpu']] },
    ]);
  });
});
