// `update` through both clients a user has: `flotilla update` and the docker CLI on the agent's
// socket. Each limit is read back where the kernel enforces it (the container's cgroup files), at
// once on a running container and again after a restart (the record keeps it).
import { existsSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { dockerCli } from '../engine-api/docker-client.js';
import { TestAgent, useTestAgent } from './harness.js';

const agent = new TestAgent();
const run = (args: string[]) => agent.cli(args);
useTestAgent(agent);
afterEach(() => agent.removeAll());

const mb = 1024 * 1024;
const cgroup = (ctrl: string, id: string, file: string) =>
  readFileSync(`/sys/fs/cgroup/${ctrl}/flotilla/${id}/${file}`, 'utf8').trim();
const swapAccounting = (id: string) =>
  existsSync(`/sys/fs/cgroup/memory/flotilla/${id}/memory.memsw.limit_in_bytes`);

async function inspect(name: string) {
  const r = await run(['inspect', name]);
  expect(r.status, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { Id: string; HostConfig: Record<string, unknown> }[])[0];
}

describe('update', () => {
  it('flotilla update changes a running container’s limits live and keeps them at restart', async () => {
    const started = await run([
      'run',
      '-d',
      '--network',
      'none',
      '--name',
      'upd',
      'busybox',
      'sleep',
      '600',
    ]);
    expect(started.status, started.stderr).toBe(0);
    const id = started.stdout.trim();
    const r = await run([
      'update',
      '-m',
      '64m',
      '--cpus',
      '0.5',
      '--pids-limit',
      '20',
      '--restart',
      'always',
      'upd',
    ]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('upd\n');
    expect(r.status).toBe(0);
    const live = () => {
      expect(cgroup('memory', id, 'memory.limit_in_bytes')).toBe(String(64 * mb));
      if (swapAccounting(id))
        expect(cgroup('memory', id, 'memory.memsw.limit_in_bytes')).toBe(String(128 * mb));
      expect(cgroup('cpu', id, 'cpu.cfs_quota_us')).toBe('50000');
      expect(cgroup('cpu', id, 'cpu.cfs_period_us')).toBe('100000');
      expect(cgroup('pids', id, 'pids.max')).toBe('20');
    };
    live();
    expect((await inspect('upd')).HostConfig).toMatchObject({
      Memory: 64 * mb,
      MemorySwap: 128 * mb,
      NanoCpus: 5e8,
      PidsLimit: 20,
      RestartPolicy: { Name: 'always', MaximumRetryCount: 0 },
    });

    // Docker's refusal: memory above the swap in force, without --memory-swap. Nothing changes.
    const over = await run(['update', '-m', '300m', 'upd']);
    expect(over.status).toBe(1);
    expect(over.stderr).toContain(
      'Cannot update container upd: Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time',
    );
    expect(cgroup('memory', id, 'memory.limit_in_bytes')).toBe(String(64 * mb));

    // A new process after a restart gets the updated limits from the record.
    expect((await run(['restart', '-t', '0', 'upd'])).status).toBe(0);
    live();

    // Memory above the old swap with a new swap, and CPU shares.
    const both = await run(['update', '-m', '200m', '--memory-swap', '400m', '-c', '256', 'upd']);
    expect(both.status, both.stderr).toBe(0);
    expect(cgroup('memory', id, 'memory.limit_in_bytes')).toBe(String(200 * mb));
    if (swapAccounting(id))
      expect(cgroup('memory', id, 'memory.memsw.limit_in_bytes')).toBe(String(400 * mb));
    expect(cgroup('cpu', id, 'cpu.shares')).toBe('256');

    // Unlimited pids again; no flag at all is an error; a bad value is a flag error (125).
    expect((await run(['update', '--pids-limit', '-1', 'upd'])).status).toBe(0);
    expect(cgroup('pids', id, 'pids.max')).toBe('max');
    const none = await run(['update', 'upd']);
    expect(none.status).not.toBe(0);
    expect(none.stderr).toContain('you must provide one or more flags');
    const bad = await run(['update', '--cpus', 'lots', 'upd']);
    expect(bad.status).toBe(125);
    expect(bad.stderr).toContain('--cpus');
  });

  it('docker update sets a created container’s limits, applied at its start; refuses what it cannot apply', async () => {
    const docker = dockerCli(agent);
    const created = await docker([
      'create',
      '--network',
      'none',
      '--name',
      'dupd',
      'busybox',
      'sleep',
      '600',
    ]);
    expect(created.status, created.stderr).toBe(0);
    const id = created.stdout.trim();
    const r = await docker(['update', '--memory', '32m', '--restart', 'on-failure:3', 'dupd']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('dupd\n');
    expect(r.status).toBe(0);
    const shown = await docker([
      'inspect',
      '-f',
      '{{.HostConfig.Memory}} {{.HostConfig.RestartPolicy.Name}} {{.HostConfig.RestartPolicy.MaximumRetryCount}}',
      'dupd',
    ]);
    expect(shown.stdout).toBe(`${32 * mb} on-failure 3\n`);
    expect((await docker(['start', 'dupd'])).status).toBe(0);
    expect(cgroup('memory', id, 'memory.limit_in_bytes')).toBe(String(32 * mb));
    // A live change through the docker CLI too.
    expect((await docker(['update', '--cpu-shares', '512', 'dupd'])).status).toBe(0);
    expect(cgroup('cpu', id, 'cpu.shares')).toBe('512');

    const refused = await docker(['update', '--cpuset-cpus', '0', 'dupd']);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('CpusetCpus cannot be updated by Flotilla');
  });
});
