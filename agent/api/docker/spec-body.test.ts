import { describe, expect, it } from 'vitest';
import { createOptions } from './create-body.js';

describe('the spec fields of a Docker create body', () => {
  it('translates HostConfig into the runtime’s options', () => {
    const o = createOptions({
      Image: 'busybox',
      HostConfig: {
        PidMode: 'host',
        IpcMode: 'none',
        UTSMode: 'host',
        ShmSize: 1 << 20,
        Devices: [{ PathOnHost: '/dev/null', PathInContainer: '', CgroupPermissions: '' }],
        DeviceCgroupRules: ['c 1:3 r'],
        OomScoreAdj: 100,
        OomKillDisable: true,
        MemoryReservation: 1 << 25,
        CpusetCpus: '0',
        CpusetMems: '',
      },
    });
    expect(o).toMatchObject({
      pidMode: 'host',
      ipcMode: 'none',
      utsMode: 'host',
      shmSizeBytes: 1 << 20,
      devices: [
        { pathOnHost: '/dev/null', pathInContainer: '/dev/null', cgroupPermissions: 'rwm' },
      ],
      deviceCgroupRules: ['c 1:3 r'],
      oomScoreAdj: 100,
      oomKillDisable: true,
      memoryReservationBytes: 1 << 25,
      cpusetCpus: '0',
    });
    expect(o).not.toHaveProperty('cpusetMems');
  });

  it('passes the docker CLI’s zero values as unset, and --gpus as a device request', () => {
    const o = createOptions({
      Image: 'busybox',
      HostConfig: {
        PidMode: '',
        ShmSize: 0,
        Devices: [],
        OomKillDisable: false,
        DeviceRequests: [{ Driver: '', Count: -1, Capabilities: [['gpu']], Options: {} }],
      },
    });
    expect(o).toMatchObject({
      deviceRequests: [{ driver: '', count: -1, capabilities: [['gpu']] }],
    });
    expect(o).not.toHaveProperty('pidMode');
    expect(o).not.toHaveProperty('shmSizeBytes');
  });

  it('refuses a field of the wrong type by name', () => {
    expect(() => createOptions({ Image: 'busybox', HostConfig: { ShmSize: '64m' } })).toThrow(
      /HostConfig.ShmSize must be an integer/,
    );
  });
});
