// Resource limits, observation (stats, top, port) and security options through the CLI against a
// real agent: each limit is read back where the kernel enforces it (cgroup files, /proc inside the
// container) or made to bite (a fork loop against --pids-limit).
import { readFileSync } from 'node:fs';
import { get } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { busyboxImage, dockerArchive, TestAgent, useTestAgent, waitFor } from './harness.js';

const agent = new TestAgent();
const run = (args: string[], input?: string) => agent.cli(args, input);
const none = ['--network', 'none'];

useTestAgent(agent);
afterEach(() => agent.removeAll());

async function runDetached(args: string[]): Promise<string> {
  const r = await run(['run', '-d', ...args]);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return r.stdout.trim();
}

/** `run --rm --network none busybox sh -c script` with extra flags; returns the result. */
const sh = (flags: string[], script: string) =>
  run(['run', '--rm', ...none, ...flags, 'busybox', 'sh', '-c', script]);

const cgroup = (ctrl: string, id: string, file: string) =>
  readFileSync(`/sys/fs/cgroup/${ctrl}/flotilla/${id}/${file}`, 'utf8').trim();

describe('stats, top, port', () => {
  it('stats --no-stream shows CPU use, the --memory limit and the process count', async () => {
    const id = await runDetached([
      ...none,
      '--name',
      'busy',
      '-m',
      '64m',
      'busybox',
      'sh',
      '-c',
      'sleep 600 & sleep 600 & while true; do :; done',
    ]);
    const r = await run(['stats', '--no-stream', 'busy']);
    expect(r.status).toBe(0);
    const [head, row, ...rest] = r.stdout.split('\n');
    expect(head).toMatch(
      /^CONTAINER ID\s+NAME\s+CPU %\s+MEM USAGE \/ LIMIT\s+MEM %\s+NET I\/O\s+BLOCK I\/O\s+PIDS$/,
    );
    expect(rest.filter(Boolean)).toEqual([]);
    const cols = row.split(/\s{2,}/);
    expect(cols[0]).toBe(id.slice(0, 12));
    expect(cols[1]).toBe('busy');
    // A shell spinning on one core of two: well above zero on a first, one-shot read.
    expect(Number.parseFloat(cols[2])).toBeGreaterThan(5);
    expect(cols[3]).toMatch(/ \/ 64MiB$/);
    expect(cols[7]).toBe('3');

    const j = await run(['stats', '--no-stream', '--format', 'json', 'busy']);
    const s = JSON.parse(j.stdout) as Record<string, string | number>;
    expect(s).toMatchObject({ ID: id.slice(0, 12), Name: 'busy', PIDs: 3 });
    expect(String(s.MemUsage)).toMatch(/ \/ 64MiB$/);
    expect(s.MemBytes).toBeGreaterThan(0);
    expect(s.MemBytes).toBeLessThan(64 * 1024 * 1024);
    await run(['rm', '-f', 'busy']);
  });

  it('top lists the processes in the container', async () => {
    await runDetached([
      ...none,
      '--name',
      'topme',
      'busybox',
      'sh',
      '-c',
      'sleep 601 & sleep 602; true',
    ]);
    await waitFor('both sleeps', async () => {
      const t = await run(['top', 'topme']);
      return t.stdout.includes('sleep 601') && t.stdout.includes('sleep 602');
    });
    const t = await run(['top', 'topme']);
    const [head, ...rows] = t.stdout.trim().split('\n');
    expect(head).toMatch(/PID/);
    expect(head).toMatch(/CMD|COMMAND/);
    expect(rows).toHaveLength(3);
    expect(rows.some((r) => r.includes('sh -c sleep 601 & sleep 602; true'))).toBe(true);
    await run(['rm', '-f', 'topme']);
    const stopped = await run(['top', 'topme']);
    expect(stopped.status).not.toBe(0);
  });

  it('port lists published ports, and the published port answers', async () => {
    await runDetached([
      '--name',
      'web',
      '-p',
      '127.0.0.1::80',
      '-p',
      '8',
      'busybox',
      'httpd',
      '-f',
      '-p',
      '80',
      '-h',
      '/www',
    ]);
    const all = await run(['port', 'web']);
    const lines = all.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines.find((l) => l.startsWith('80/'))).toMatch(/^80\/tcp -> 127\.0\.0\.1:\d+$/);
    expect(lines.find((l) => l.startsWith('8/'))).toMatch(/^8\/tcp -> 0\.0\.0\.0:\d+$/);
    const one = await run(['port', 'web', '80']);
    const hostPort = Number(/^127\.0\.0\.1:(\d+)\n$/.exec(one.stdout)?.[1]);
    expect(hostPort).toBeGreaterThan(0);
    const body = await waitFor(
      'httpd to answer',
      () =>
        new Promise<string>((resolve) => {
          get({ host: '127.0.0.1', port: hostPort, path: '/' }, (res) => {
            let b = '';
            res.on('data', (d: Buffer) => (b += d.toString()));
            res.on('end', () => resolve(b));
          }).on('error', () => resolve(''));
        }),
    );
    expect(body).toBe('hello from flotilla\n');
    expect((await run(['port', 'web', '81'])).stdout).toBe('');
    await run(['rm', '-f', 'web']);
  });

  it('-P publishes every exposed port (image EXPOSE and --expose) to a random port, and it answers', async () => {
    // The image exposes 80/tcp; --expose adds 7/udp and 9-10; -p binds 10 itself, so -P leaves it.
    const img = await busyboxImage({ Cmd: ['sh'], ExposedPorts: { '80/tcp': {} } });
    const loaded = await agent.cli(['load'], await dockerArchive(img, 'exposing:2'));
    expect(loaded.status).toBe(0);
    await runDetached([
      '--name',
      'pall',
      '-P',
      '--expose',
      '7/udp',
      '--expose',
      '9-10',
      '-p',
      '127.0.0.1::10',
      'exposing:2',
      'httpd',
      '-f',
      '-p',
      '80',
      '-h',
      '/www',
    ]);
    const lines = (await run(['port', 'pall'])).stdout.trim().split('\n').sort();
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^10\/tcp -> 127\.0\.0\.1:\d+$/);
    expect(lines[1]).toMatch(/^7\/udp -> 0\.0\.0\.0:\d+$/);
    expect(lines[2]).toMatch(/^80\/tcp -> 0\.0\.0\.0:\d+$/);
    expect(lines[3]).toMatch(/^9\/tcp -> 0\.0\.0\.0:\d+$/);
    const hostPort = Number(/:(\d+)$/.exec(lines[2])?.[1]);
    // Docker hands -P ports out of the ephemeral range.
    expect(hostPort).toBeGreaterThanOrEqual(1024);
    const body = await waitFor(
      'httpd to answer on the -P port',
      () =>
        new Promise<string>((resolve) => {
          get({ host: '127.0.0.1', port: hostPort, path: '/' }, (res) => {
            let b = '';
            res.on('data', (d: Buffer) => (b += d.toString()));
            res.on('end', () => resolve(b));
          }).on('error', () => resolve(''));
        }),
    );
    expect(body).toBe('hello from flotilla\n');
    const bad = await run(['run', '--rm', '--expose', '80/sctp', 'busybox', 'true']);
    expect(bad.status).toBe(125);
    expect(bad.stderr).toMatch(/"80\/sctp" for flag --expose/);
  });
});

describe('cgroup limits', () => {
  it('sets memory, swap, cpu quota and shares, pids in the cgroups', async () => {
    const id = await runDetached([
      ...none,
      '--name',
      'limits',
      '-m',
      '32m',
      '--memory-swap',
      '96m',
      '--cpus',
      '0.5',
      '--cpu-shares',
      '512',
      '--pids-limit',
      '50',
      'busybox',
      'sleep',
      '600',
    ]);
    expect(Number(cgroup('memory', id, 'memory.limit_in_bytes'))).toBe(32 * 1024 * 1024);
    expect(Number(cgroup('memory', id, 'memory.memsw.limit_in_bytes'))).toBe(96 * 1024 * 1024);
    expect(Number(cgroup('cpu', id, 'cpu.cfs_quota_us'))).toBe(
      Number(cgroup('cpu', id, 'cpu.cfs_period_us')) / 2,
    );
    expect(Number(cgroup('cpu', id, 'cpu.shares'))).toBe(512);
    expect(cgroup('pids', id, 'pids.max')).toBe('50');
    expect((await agent.inspect('limits')).HostConfig.MemorySwap).toBe(96 * 1024 * 1024);
    await run(['rm', '-f', 'limits']);
  });

  it('--pids-limit stops a fork loop', async () => {
    const loop = 'i=0; while [ $i -lt 60 ]; do sleep 30 & i=$((i+1)); echo $i; done';
    const limited = await sh(['--pids-limit', '20'], loop);
    const reached = Number(limited.stdout.trim().split('\n').at(-1));
    expect(reached).toBeLessThan(20);
    expect(limited.stderr).toMatch(/can't fork/);
    expect(limited.status).not.toBe(0);
    // Without the limit the same loop completes.
    const free = await sh([], `${loop}; kill $(jobs -p) 2>/dev/null; true`);
    expect(free.stdout.trim().split('\n').at(-1)).toBe('60');
  });
});

describe('security options', () => {
  // Docker's default capability set, as CapEff in /proc/self/status.
  const defaultCaps = 0xa80425fbn;
  const capEff = async (flags: string[]) => {
    const r = await sh(flags, 'grep ^CapEff: /proc/self/status');
    expect(r.status).toBe(0);
    return BigInt(`0x${r.stdout.split(/\s+/)[1]}`);
  };

  it('has Docker default capabilities, and --cap-drop / --cap-add / --privileged change them', async () => {
    expect(await capEff([])).toBe(defaultCaps);
    const NET_RAW = 1n << 13n;
    const SYS_ADMIN = 1n << 21n;
    expect(await capEff(['--cap-drop', 'NET_RAW'])).toBe(defaultCaps & ~NET_RAW);
    expect(await capEff(['--cap-add', 'SYS_ADMIN'])).toBe(defaultCaps | SYS_ADMIN);
    expect(await capEff(['--cap-add', 'cap_sys_admin', '--cap-drop', 'ALL'])).toBe(SYS_ADMIN);
    // --privileged: every capability the agent holds (this host's bounding set lacks some).
    const bounding = BigInt(
      `0x${/^CapBnd:\s*(\S+)$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]}`,
    );
    expect(await capEff(['--privileged'])).toBe(bounding);
    // Dropped caps bite: without CHOWN, root cannot chown.
    const r = await sh(['--cap-drop', 'CHOWN'], 'touch /tmp/f; chown 1000 /tmp/f 2>&1; echo rc=$?');
    expect(r.stdout).toMatch(/Operation not permitted/);
    expect(r.stdout).toMatch(/rc=1/);
  });

  it('--privileged may mount and sees host devices', async () => {
    const r = await sh(
      ['--privileged'],
      'mkdir /mnt && mount -t tmpfs t /mnt && echo mounted; ls /dev | wc -l',
    );
    const [mounted, devs] = r.stdout.trim().split('\n');
    expect(mounted).toBe('mounted');
    // Host devices: /dev/loop-control (on every Linux host) only with --privileged.
    expect(Number(devs)).toBeGreaterThan(0);
    const loop = 'test -c /dev/loop-control && echo yes || echo no';
    expect((await sh(['--privileged'], loop)).stdout).toBe('yes\n');
    expect((await sh([], loop)).stdout).toBe('no\n');
  });

  it('--read-only refuses writes to the root filesystem; --tmpfs /tmp stays writable', async () => {
    const r = await sh(
      ['--read-only', '--tmpfs', '/tmp'],
      'touch /x 2>&1; echo rc=$?; echo ok > /tmp/y && cat /tmp/y; grep " /tmp " /proc/mounts',
    );
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/Read-only file system/);
    expect(lines[1]).toBe('rc=1');
    expect(lines[2]).toBe('ok');
    expect(lines[3]).toMatch(/^tmpfs \/tmp tmpfs rw,/);
    const rw = await sh([], 'touch /x && echo wrote');
    expect(rw.stdout).toBe('wrote\n');
  });

  it('--ulimit nofile sets the soft and hard limits', async () => {
    const r = await sh(['--ulimit', 'nofile=1024:2048'], 'ulimit -n; ulimit -Hn');
    expect(r.stdout).toBe('1024\n2048\n');
    const one = await sh(['--ulimit', 'nofile=4096'], 'ulimit -n; ulimit -Hn');
    expect(one.stdout).toBe('4096\n4096\n');
  });

  it('--init runs tini as PID 1 with the command under it', async () => {
    const r = await sh(['--init'], "tr '\\0' ' ' < /proc/1/cmdline; echo; echo $$");
    const [cmdline, self] = r.stdout.split('\n');
    expect(cmdline).toMatch(/^\/sbin\/docker-init -- sh -c /);
    expect(Number(self)).not.toBe(1);
    const plain = await sh([], 'echo $$');
    expect(plain.stdout).toBe('1\n');
  });

  it('applies the default seccomp profile unless --security-opt seccomp=unconfined', async () => {
    const probe = 'grep ^Seccomp: /proc/self/status; busybox unshare -U true 2>&1; echo rc=$?';
    const confined = await sh([], probe);
    expect(confined.stdout).toMatch(/^Seccomp:\s+2\n/);
    expect(confined.stdout).toMatch(/Operation not permitted\nrc=1\n$/);
    const free = await sh(['--security-opt', 'seccomp=unconfined'], probe);
    expect(free.stdout).toMatch(/^Seccomp:\s+0\n/);
    expect(free.stdout).toMatch(/rc=0\n$/);
  });
});
