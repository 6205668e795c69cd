// `run` options that reshape the container's OCI spec, through `flotilla run` and through the
// docker CLI on the agent's socket, each read back where the kernel applies it: the namespaces of
// the container's process, /dev/shm's size, device nodes and the device cgroup, /proc's OOM score,
// the memory and cpuset cgroup files. Bad values are refused with status 125, naming the flag.
import { readFileSync, readlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { dockerCli } from '../engine-api/docker-client.js';
import { TestAgent, useTestAgent, waitFor } from './harness.js';

const agent = new TestAgent([], '10.251.57.0/24');
const run = (args: string[], input?: string) => agent.cli(args, input);
const none = ['--network', 'none'];
let cli: ReturnType<typeof dockerCli> | undefined;
const docker = (args: string[]) => (cli ??= dockerCli(agent))(args);

useTestAgent(agent);
afterEach(() => agent.removeAll());

/** `run --rm --network none FLAGS busybox sh -c SCRIPT`. */
const sh = (flags: string[], script: string) =>
  run(['run', '--rm', ...none, ...flags, 'busybox', 'sh', '-c', script]);

const hostNs = (type: string) => readlinkSync(`/proc/self/ns/${type}`);
const cgroup = (ctrl: string, id: string, file: string) =>
  readFileSync(`/sys/fs/cgroup/${ctrl}/flotilla/${id}/${file}`, 'utf8').trim();

const nsScript = 'for n in pid ipc uts; do readlink /proc/self/ns/$n; done; hostname';

describe('run namespace modes', () => {
  it('--pid host, --ipc host and --uts host share the host’s namespaces and hostname', async () => {
    const r = await sh(['--pid', 'host', '--ipc', 'host', '--uts', 'host'], nsScript);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe([hostNs('pid'), hostNs('ipc'), hostNs('uts'), hostname(), ''].join('\n'));
    const own = await sh([], nsScript);
    const lines = own.stdout.split('\n');
    expect(lines.slice(0, 3)).not.toContain(hostNs('pid'));
    expect(lines.slice(0, 3)).not.toContain(hostNs('ipc'));
    expect(lines.slice(0, 3)).not.toContain(hostNs('uts'));
  });

  it('--pid container:NAME joins a running container’s PID namespace', async () => {
    await run(['run', '-d', ...none, '--name', 'donor', 'busybox', 'sleep', '601']);
    const r = await sh(['--pid', 'container:donor'], 'ps -o args');
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('sleep 601');
    const stopped = await run(['create', ...none, '--name', 'idle', 'busybox', 'true']);
    expect(stopped.status).toBe(0);
    const refused = await sh(['--pid', 'container:idle'], 'true');
    expect(refused.status).toBe(125);
    expect(refused.stderr).toMatch(/--pid.*container:idle.*not running/);
  });

  it('--shm-size sizes /dev/shm (64m by default); --ipc none mounts none', async () => {
    const df = "df -k /dev/shm | awk 'NR==2 {print $2}'";
    expect((await sh(['--shm-size', '96m'], df)).stdout).toBe('98304\n');
    expect((await sh([], df)).stdout).toBe('65536\n');
    const r = await sh(['--ipc', 'none'], 'grep -c " /dev/shm " /proc/mounts || true');
    expect(r.stdout).toBe('0\n');
  });
});

describe('run devices', () => {
  it('--device makes the node at its path with its permissions; --device-cgroup-rule widens them', async () => {
    // An unattached loop device (not among runc's default devices): opened, never written.
    const script =
      'stat -c "%t:%T" /dev/myloop; head -c 1 /dev/myloop | wc -c; ' +
      '(exec 3<>/dev/myloop) && echo rw || echo read-only';
    const r = await sh(['--device', '/dev/loop7:/dev/myloop:r'], script);
    expect(r.stdout).toBe('7:7\n0\nread-only\n');
    expect(r.stderr).toMatch(/Operation not permitted/);
    const w = await sh(
      ['--device', '/dev/loop7:/dev/myloop:r', '--device-cgroup-rule', 'b 7:* rw'],
      script,
    );
    expect(w.stderr).toBe('');
    expect(w.stdout).toBe('7:7\n0\nrw\n');
    const without = await sh([], 'test -e /dev/myloop && echo present || echo absent');
    expect(without.stdout).toBe('absent\n');
  });

  it('refuses a --device that is not a device node on this host, with status 125', async () => {
    const r = await sh(['--device', '/etc/hostname'], 'true');
    expect(r.status).toBe(125);
    expect(r.stderr).toMatch(/--device.*\/etc\/hostname.*not a character or block device/);
    const missing = await sh(['--device', '/dev/no-such-device'], 'true');
    expect(missing.status).toBe(125);
    expect(missing.stderr).toMatch(/--device.*ENOENT/);
  });
});

describe('run OOM, memory reservation and cpusets', () => {
  it('sets the OOM score, the OOM killer, the soft limit and the cpusets; inspect shows them', async () => {
    const r = await run([
      'run',
      '-d',
      ...none,
      '--oom-score-adj',
      '444',
      '--oom-kill-disable',
      '-m',
      '64m',
      '--memory-reservation',
      '32m',
      '--cpuset-cpus',
      '0',
      '--cpuset-mems',
      '0',
      '--shm-size',
      '8m',
      'busybox',
      'sleep',
      '600',
    ]);
    expect(r.stderr).toBe('');
    const id = r.stdout.trim();
    const score = await run(['exec', id, 'cat', '/proc/1/oom_score_adj']);
    expect(score.stdout).toBe('444\n');
    expect(cgroup('memory', id, 'memory.oom_control')).toMatch(/^oom_kill_disable 1$/m);
    expect(cgroup('memory', id, 'memory.soft_limit_in_bytes')).toBe(String(32 * 1024 * 1024));
    expect(cgroup('cpuset', id, 'cpuset.cpus')).toBe('0');
    expect(cgroup('cpuset', id, 'cpuset.mems')).toBe('0');
    const hc = (await agent.inspect(id)).HostConfig as Record<string, unknown>;
    expect(hc).toMatchObject({
      OomScoreAdj: 444,
      OomKillDisable: true,
      MemoryReservation: 32 * 1024 * 1024,
      CpusetCpus: '0',
      CpusetMems: '0',
      ShmSize: 8 * 1024 * 1024,
      IpcMode: 'private',
      PidMode: '',
    });
  });

  it('warns when the OOM killer is disabled without a memory limit', async () => {
    const r = await sh(['--oom-kill-disable'], 'true');
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(
      /^WARNING: OOM killer is disabled for the container, but no memory limit/,
    );
  });

  it.each([
    [['--oom-score-adj', '2000'], /"2000" for flag --oom-score-adj: the range is \[-1000, 1000\]/],
    [
      ['--uts', 'host', '--hostname', 'x'],
      /"x" for flag --hostname: conflicting options: hostname/,
    ],
    [['--ipc', 'container:'], /"container:" for flag --ipc: use private, .*container:NAME/],
    [['--pid', 'private'], /"private" for flag --pid: use host, container:NAME/],
    [['--shm-size', 'lots'], /--shm-size/],
    [
      ['--memory-reservation', '1k'],
      /--memory-reservation: minimum memory reservation allowed is 6MB/,
    ],
    [['--cpuset-cpus', '0-x'], /"0-x" for flag --cpuset-cpus: expected a list/],
    [['--cpuset-cpus', '4095'], /invalid --cpuset-cpus "4095": not available on this host/],
    [['--device-cgroup-rule', 'c 1:7'], /"c 1:7" for flag --device-cgroup-rule: expected TYPE/],
    [['--device', '/dev/full:/dev/f:rwx'], /for flag --device: permissions are some of r, w, m/],
    [['--gpus', 'all'], /could not select device driver "" with capabilities: \[\[gpu\]\]/],
  ])('refuses %j with status 125, naming the flag', async (flags, message) => {
    const r = await sh(flags, 'true');
    expect(r.status).toBe(125);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('create', () => {
  it('takes the same flags: inspect shows them, start applies them', async () => {
    const c = await run([
      'create',
      ...none,
      '--name',
      'made',
      '--pid',
      'host',
      '--ipc',
      'none',
      '--uts',
      'host',
      '--device',
      '/dev/loop7:/dev/myloop:r',
      '--device-cgroup-rule',
      'b 7:* rw',
      '--oom-score-adj',
      '5',
      '--oom-kill-disable',
      '-m',
      '64m',
      '--memory-reservation',
      '16m',
      '--cpuset-cpus',
      '0',
      '--cpuset-mems',
      '0',
      'busybox',
      'sleep',
      '600',
    ]);
    expect(c.stderr).toBe('');
    const id = c.stdout.trim();
    expect((await agent.inspect(id)).HostConfig).toMatchObject({
      PidMode: 'host',
      IpcMode: 'none',
      UTSMode: 'host',
      Devices: [
        { PathOnHost: '/dev/loop7', PathInContainer: '/dev/myloop', CgroupPermissions: 'r' },
      ],
      DeviceCgroupRules: ['b 7:* rw'],
      OomScoreAdj: 5,
      OomKillDisable: true,
      MemoryReservation: 16 * 1024 * 1024,
      CpusetCpus: '0',
      CpusetMems: '0',
    });
    expect((await run(['start', id])).status).toBe(0);
    const pid = (await agent.inspect(id)).State.Pid as number;
    expect(readlinkSync(`/proc/${pid}/ns/pid`)).toBe(hostNs('pid'));
    expect(readlinkSync(`/proc/${pid}/ns/uts`)).toBe(hostNs('uts'));
    expect(readlinkSync(`/proc/${pid}/ns/ipc`)).not.toBe(hostNs('ipc'));
    expect(readFileSync(`/proc/${pid}/oom_score_adj`, 'utf8')).toBe('5\n');
    const e = await run([
      'exec',
      id,
      'sh',
      '-c',
      'stat -c "%t:%T" /dev/myloop; grep -c " /dev/shm " /proc/mounts',
    ]);
    expect(e.stdout).toBe('7:7\n0\n');
    expect(cgroup('devices', id, 'devices.list')).toMatch(/^b 7:\* rw$/m);
    expect(cgroup('memory', id, 'memory.oom_control')).toMatch(/^oom_kill_disable 1$/m);
    expect(cgroup('memory', id, 'memory.soft_limit_in_bytes')).toBe(String(16 * 1024 * 1024));
    expect(cgroup('cpuset', id, 'cpuset.mems')).toBe('0');
  });

  it('refuses --gpus at the agent, as dockerd does (status 1), creating nothing', async () => {
    const r = await run(['create', ...none, '--name', 'gpu', '--gpus', 'all', 'busybox', 'true']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/could not select device driver "" with capabilities: \[\[gpu\]\]/);
    expect((await run(['ps', '-a', '-q', '--filter', 'name=gpu'])).stdout).toBe('');
    const bad = await run(['create', ...none, '--shm-size', '0', 'busybox', 'true']);
    expect(bad.status).toBe(125);
    expect(bad.stderr).toMatch(/--shm-size: must be greater than 0/);
  });
});

describe('the same options through the docker CLI', () => {
  it('docker run --pid/--ipc/--uts host, --shm-size, --device, --oom-score-adj', async () => {
    const r = await docker([
      'run',
      '--rm',
      ...none,
      '--pid',
      'host',
      '--ipc',
      'host',
      '--uts',
      'host',
      '--device',
      '/dev/loop7:/dev/myloop:r',
      '--oom-score-adj',
      '321',
      'busybox',
      'sh',
      '-c',
      `${nsScript}; stat -c "%t:%T" /dev/myloop; cat /proc/self/oom_score_adj`,
    ]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(
      [hostNs('pid'), hostNs('ipc'), hostNs('uts'), hostname(), '7:7', '321', ''].join('\n'),
    );
    const shm = await docker([
      'run',
      '--rm',
      ...none,
      '--shm-size',
      '96m',
      'busybox',
      'df',
      '-k',
      '/dev/shm',
    ]);
    expect(shm.stdout).toMatch(/\s98304\s/);
  });

  it('docker run --oom-kill-disable, --memory-reservation, --cpuset-*; docker inspect shows them', async () => {
    const r = await docker([
      'run',
      '-d',
      ...none,
      '--oom-kill-disable',
      '-m',
      '64m',
      '--memory-reservation',
      '16m',
      '--cpuset-cpus',
      '0',
      '--cpuset-mems',
      '0',
      '--device-cgroup-rule',
      'b 7:* rw',
      'busybox',
      'sleep',
      '600',
    ]);
    expect(r.stderr).toBe('');
    const id = r.stdout.trim();
    await waitFor('running', async () => (await agent.inspect(id)).State.Running);
    expect(cgroup('memory', id, 'memory.oom_control')).toMatch(/^oom_kill_disable 1$/m);
    expect(cgroup('memory', id, 'memory.soft_limit_in_bytes')).toBe(String(16 * 1024 * 1024));
    expect(cgroup('cpuset', id, 'cpuset.cpus')).toBe('0');
    expect(cgroup('devices', id, 'devices.list')).toMatch(/^b 7:\* rw$/m);
    const f = await docker([
      'inspect',
      '--format',
      '{{.HostConfig.OomKillDisable}} {{.HostConfig.MemoryReservation}} {{.HostConfig.CpusetCpus}} {{.HostConfig.DeviceCgroupRules}}',
      id,
    ]);
    expect(f.stdout).toBe('true 16777216 0 [b 7:* rw]\n');
  });

  it('docker run --gpus is refused: no GPU runtime', async () => {
    const r = await docker(['run', '--rm', ...none, '--gpus', 'all', 'busybox', 'true']);
    expect(r.status).toBe(125);
    expect(r.stderr).toMatch(/could not select device driver "" with capabilities: \[\[gpu\]\]/);
  });
});
