import { describe, expect, it } from 'vitest';
import type { ContainerCreateOptions } from '../types.js';
import {
  applySpecOptions,
  checkSpecOptionsOnHost,
  runningPid,
  specHostConfig,
} from './spec-options.js';

/** The parts of buildSpec's output this module changes. */
function spec(): Record<string, any> {
  return {
    hostname: 'abc',
    process: { oomScoreAdj: 0 },
    mounts: [
      { destination: '/proc', type: 'proc', source: 'proc', options: [] },
      {
        destination: '/dev/shm',
        type: 'tmpfs',
        source: 'shm',
        options: ['nosuid', 'mode=1777', 'size=67108864'],
      },
    ],
    linux: {
      namespaces: [{ type: 'pid' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }],
      resources: { devices: [{ allow: false, access: 'rwm' }], memory: { limit: 1 << 26 } },
    },
  };
}

const opts = (o: Partial<ContainerCreateOptions>) => ({ image: 'busybox', ...o });
const noJoin = () => {
  throw new Error('no join expected');
};

describe('applySpecOptions', () => {
  it('leaves the host namespaces out, and the hostname with the UTS one', () => {
    const s = spec();
    applySpecOptions(s, opts({ pidMode: 'host', ipcMode: 'host', utsMode: 'host' }), noJoin);
    expect(s.linux.namespaces).toEqual([{ type: 'mount' }]);
    expect(s.hostname).toBeUndefined();
    expect(s.mounts[1]).toEqual({
      destination: '/dev/shm',
      type: 'bind',
      source: '/dev/shm',
      options: ['rbind', 'rprivate'],
    });
  });

  it('joins a running container’s PID namespace', () => {
    const s = spec();
    applySpecOptions(s, opts({ pidMode: 'container:db' }), (ref, option) => {
      expect([ref, option]).toEqual(['db', '--pid']);
      return 4242;
    });
    expect(s.linux.namespaces[0]).toEqual({ type: 'pid', path: '/proc/4242/ns/pid' });
  });

  it('sizes /dev/shm, or mounts none with --ipc none', () => {
    const s = spec();
    applySpecOptions(s, opts({ shmSizeBytes: 1 << 20 }), noJoin);
    expect(s.mounts[1].options).toEqual(['nosuid', 'mode=1777', `size=${1 << 20}`]);
    const none = spec();
    applySpecOptions(none, opts({ ipcMode: 'none' }), noJoin);
    expect(none.mounts.map((m: { destination: string }) => m.destination)).toEqual(['/proc']);
  });

  it('makes device nodes and allows them and the rules in the device cgroup', () => {
    const s = spec();
    applySpecOptions(
      s,
      opts({
        devices: [
          { pathOnHost: '/dev/null', pathInContainer: '/dev/mynull', cgroupPermissions: 'r' },
        ],
        deviceCgroupRules: ['b 7:* rw'],
      }),
      noJoin,
    );
    expect(s.linux.devices).toEqual([
      expect.objectContaining({ path: '/dev/mynull', type: 'c', major: 1, minor: 3 }),
    ]);
    expect(s.linux.resources.devices.slice(1)).toEqual([
      { allow: true, type: 'c', major: 1, minor: 3, access: 'r' },
      { allow: true, type: 'b', major: 7, access: 'rw' },
    ]);
  });

  it('sets the OOM score and killer, the reservation and the cpusets', () => {
    const s = spec();
    applySpecOptions(
      s,
      opts({
        oomScoreAdj: -500,
        oomKillDisable: true,
        memoryReservationBytes: 1 << 25,
        cpusetCpus: '0-1',
        cpusetMems: '0',
      }),
      noJoin,
    );
    expect(s.process.oomScoreAdj).toBe(-500);
    expect(s.linux.resources.memory).toEqual({
      limit: 1 << 26,
      disableOOMKiller: true,
      reservation: 1 << 25,
    });
    expect(s.linux.resources.cpu).toEqual({ cpus: '0-1', mems: '0' });
  });
});

describe('checkSpecOptionsOnHost', () => {
  const host = { cpus: [0, 1], mems: [0], oomControl: true };

  it('refuses CPUs, memory nodes and devices this host lacks', () => {
    expect(() => checkSpecOptionsOnHost(opts({ cpusetCpus: '1-2' }), host)).toThrow(
      /--cpuset-cpus "1-2": not available on this host \(available: 0,1\)/,
    );
    expect(() => checkSpecOptionsOnHost(opts({ cpusetMems: '1' }), host)).toThrow(/--cpuset-mems/);
    const dev = { pathOnHost: '/etc/hostname', pathInContainer: '/dev/x', cgroupPermissions: 'r' };
    expect(() => checkSpecOptionsOnHost(opts({ devices: [dev] }), host)).toThrow(
      /not a character or block device/,
    );
  });

  it('warns about an OOM killer disabled without a limit, and drops it where it cannot apply', () => {
    expect(checkSpecOptionsOnHost(opts({ oomKillDisable: true }), host).warnings[0]).toMatch(
      /^OOM killer is disabled for the container, but no memory limit is set/,
    );
    expect(
      checkSpecOptionsOnHost(opts({ oomKillDisable: true, memoryBytes: 1 << 26 }), host).warnings,
    ).toEqual([]);
    const v2 = checkSpecOptionsOnHost(opts({ oomKillDisable: true }), {
      ...host,
      oomControl: false,
    });
    expect(v2.opts.oomKillDisable).toBeUndefined();
    expect(v2.warnings).toEqual([
      'Your kernel does not support OomKillDisable. OomKillDisable discarded.',
    ]);
  });
});

describe('runningPid and specHostConfig', () => {
  it('joins only a running container', () => {
    const store = (status: string) => ({
      get: () => ({ name: 'db', state: { status, pid: status === 'running' ? 7 : 0 } }),
    });
    expect(runningPid(store('running'), 'db', '--pid')).toBe(7);
    expect(() => runningPid(store('exited'), 'db', '--pid')).toThrow(/db: it is not running/);
  });

  it('shows Docker’s defaults when nothing is set', () => {
    expect(specHostConfig(opts({}))).toMatchObject({
      PidMode: '',
      IpcMode: 'private',
      UTSMode: '',
      ShmSize: 67108864,
      Devices: [],
      DeviceCgroupRules: null,
      OomScoreAdj: 0,
      OomKillDisable: false,
      MemoryReservation: 0,
      CpusetCpus: '',
    });
  });
});
