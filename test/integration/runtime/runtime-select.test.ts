// Choosing the OCI runtime on this host (hybrid cgroups: crun 1.8 cannot run containers here). A
// crun request is refused up front with one line that says why and which runtime works, nothing
// is left behind, and an agent told to default to crun refuses to start. On a host with unified
// cgroup v2 these refusals do not apply and the file is skipped.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { namesFor } from '../../../agent/network/defaults.js';
import { run as runCmd } from '../../../agent/network/exec.js';
import { listLinks } from '../../../agent/network/host/links.js';
import { hostCgroupLayout } from '../../../agent/runtime/runc/cgroup-mode.js';
import { bundlePath, TestAgent, useTestAgent } from './harness.js';

const agent = new TestAgent();
const hybrid = hostCgroupLayout().mode !== 'unified';

describe.skipIf(!hybrid)('runtime selection on a host without unified cgroup v2', () => {
  useTestAgent(agent);

  it('refuses --runtime crun with the reason and the runtime that works', async ({ expect }) => {
    const r = await agent.cli([
      'run',
      '--rm',
      '--runtime',
      'crun',
      '--network',
      'none',
      'busybox',
      'true',
    ]);
    expect(r.status).toBe(125);
    const lines = r.stderr.trim().split('\n');
    expect(lines[0]).toMatch(
      /^Error: crun cannot run containers on this host: cgroups on this host are hybrid, not unified cgroup v2: v1 controllers are mounted under \/sys\/fs\/cgroup and cgroup v2 at \/sys\/fs\/cgroup\/unified/,
    );
    expect(lines[1]).toMatch(/^Hint: use --runtime runc/);
    expect(lines).toHaveLength(2);
    expect(agent.ids()).toEqual([]);
  });

  it('refuses an unknown runtime, and runs runc when asked or by default', async ({ expect }) => {
    const bad = await agent.cli(['create', '--runtime', 'kata', 'busybox', 'true']);
    // The agent's refusal: `create` exits 1 (`run` would exit 125), as Docker's.
    expect(bad.status).toBe(1);
    expect(bad.stderr.split('\n')[0]).toBe('Error: unknown runtime "kata" (known: runc, crun)');
    const ok = await agent.cli([
      'run',
      '--runtime',
      'runc',
      '--name',
      'rt-runc',
      '--network',
      'none',
      'busybox',
      'echo',
      'hi',
    ]);
    expect(ok.stdout).toBe('hi\n');
    expect((await agent.inspect('rt-runc')).HostConfig.Runtime).toBe('runc');
    await agent.cli(['rm', 'rt-runc']);
  });

  it('an agent with --default-runtime crun refuses to start, saying why', async ({ expect }) => {
    const dir = join(agent.dir, 'second');
    const r = await new Promise<{ status: number | null; stderr: string }>((resolve) => {
      const p = spawn(
        'node',
        [
          bundlePath,
          'agent',
          '--data-root',
          join(dir, 'd'),
          '--exec-root',
          join(dir, 'r'),
          '--node-subnet',
          '10.251.39.0/24',
          '--default-runtime',
          'crun',
        ],
        { env: { ...process.env, FLOTILLA_LOG_LEVEL: 'fatal' } },
      );
      let err = '';
      const timer = setTimeout(() => p.kill('SIGKILL'), 60_000);
      p.stderr.on('data', (d: Buffer) => (err += d.toString()));
      p.on('close', (status) => {
        clearTimeout(timer);
        resolve({ status, stderr: err });
      });
    });
    expect(r.status).toBe(1);
    expect(r.stderr.split('\n')[0]).toMatch(
      /^Error: crun cannot run containers on this host: cgroups on this host are hybrid/,
    );
    // Refused before anything started: no bridge or chain of that agent's network exists.
    const { bridgeName, chainPrefix } = namesFor(join(dir, 'd'));
    expect((await listLinks()).includes(bridgeName)).toBe(false);
    expect((await runCmd('iptables-save', [])).stdout.includes(`${chainPrefix}-`)).toBe(false);
  });
});
