// One agent per root, per socket and per node subnet, and `flotilla agent cleanup`, driven as a
// user does: real agents started from the CLI bundle (test/integration/runtime/harness.ts). A
// second agent that would share a running one's subnet, socket or exec root is refused with one
// clear line before it makes anything; two started at the same instant on one exec root end with
// exactly one running; cleanup after a SIGKILL leaves no bridge, chain, namespace or mount.
import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { namesFor } from '../../../agent/network/defaults.js';
import { run as runCmd } from '../../../agent/network/exec.js';
import { listLinks, listNetns } from '../../../agent/network/host/links.js';
import { removeAgentNetwork } from '../../harness/agent-network.js';
import { bundlePath, TestAgent, useTestAgent, waitFor } from '../runtime/harness.js';

const agent = new TestAgent();
const others: { dataRoot: string; dir: string }[] = [];

interface Started {
  pid: number;
  exited: Promise<{ status: number | null; stderr: string }>;
  stop(): Promise<void>;
}

/**
 * `flotilla agent` with `args`, its stderr collected; `stop()` SIGTERMs it if it still runs. An
 * agent that should have been refused but still runs after `limitMs` is stopped, so a failing
 * test ends (with the wrong status and message) instead of leaving a second agent behind.
 */
function startAgent(args: string[], limitMs = 60_000, globalArgs: string[] = []): Started {
  const p = spawn('node', [bundlePath, ...globalArgs, 'agent', ...args], {
    env: { ...process.env, FLOTILLA_LOG_LEVEL: 'fatal' },
  });
  const limit = setTimeout(() => p.kill('SIGTERM'), limitMs);
  let stderr = '';
  p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  p.stdout.resume();
  const exited = new Promise<{ status: number | null; stderr: string }>((resolve) =>
    p.on('close', (status) => {
      clearTimeout(limit);
      resolve({ status, stderr });
    }),
  );
  return {
    pid: p.pid!,
    exited,
    stop: async () => {
      if (p.exitCode === null && p.signalCode === null) p.kill('SIGTERM');
      await exited;
    },
  };
}

/** Roots of another agent under the test agent's directory. */
function roots(name: string) {
  const dir = join(agent.dir, name);
  const r = { dir, dataRoot: join(dir, 'd'), execRoot: join(dir, 'r') };
  others.push(r);
  return r;
}

async function bridgeExists(dataRoot: string): Promise<boolean> {
  return (await listLinks()).includes(namesFor(dataRoot).bridgeName);
}

afterAll(async () => {
  for (const o of others) {
    await removeAgentNetwork(o.dataRoot).catch(() => {});
    rmSync(o.dir, { recursive: true, force: true });
  }
});

describe('one agent per root, socket and node subnet', () => {
  useTestAgent(agent);

  it('refuses a second agent on a node subnet routed on the first one’s bridge', async () => {
    const b = roots('same-subnet');
    const r = await startAgent([
      '--data-root',
      b.dataRoot,
      '--exec-root',
      b.execRoot,
      '--node-subnet',
      agent.subnet,
    ]).exited;
    expect(r.status).toBe(1);
    expect(r.stderr.split('\n')[0]).toBe(
      `Error: node subnet ${agent.subnet} is already routed on interface ` +
        `${namesFor(agent.dataRoot).bridgeName} (route ${agent.subnet})`,
    );
    // Refused before anything was made: no second bridge, and the first agent still answers.
    expect(await bridgeExists(b.dataRoot)).toBe(false);
    expect((await agent.cli(['ps'])).status).toBe(0);
  });

  it('refuses a second agent on a socket a live agent answers on', async () => {
    const b = roots('same-socket');
    const socket = join(agent.execRoot, 'agent.sock');
    const r = await startAgent(
      ['--data-root', b.dataRoot, '--exec-root', b.execRoot, '--node-subnet', '10.251.40.0/24'],
      60_000,
      ['-H', `unix://${socket}`],
    ).exited;
    expect(r.status).toBe(1);
    expect(r.stderr.split('\n')[0]).toBe(`Error: an agent already answers on ${socket}`);
    expect(await bridgeExists(b.dataRoot)).toBe(false);
    expect((await agent.cli(['ps'])).status).toBe(0);
  });

  it('lets exactly one of two agents started at the same instant on one exec root run', async () => {
    const shared = roots('race');
    const args = (n: number) => [
      '--data-root',
      join(shared.dir, `d${n}`),
      '--exec-root',
      shared.execRoot,
      '--node-subnet',
      `10.251.${41 + n}.0/24`,
    ];
    others.push({ dir: shared.dir, dataRoot: join(shared.dir, 'd0') });
    others.push({ dir: shared.dir, dataRoot: join(shared.dir, 'd1') });
    // The winner must outlive the checks below: its limit is the test's.
    const both = [startAgent(args(0), 170_000), startAgent(args(1), 170_000)];
    try {
      // The loser exits on its own; the winner keeps running.
      const first = await Promise.race(both.map((s, i) => s.exited.then((r) => ({ i, r }))));
      expect(first.r.status).toBe(1);
      const winner = both[1 - first.i];
      expect(first.r.stderr.split('\n')[0]).toBe(
        `Error: an agent (pid ${winner.pid}) is running on ${shared.execRoot}`,
      );
      const env = {
        ...process.env,
        FLOTILLA_HOST: `unix://${join(shared.execRoot, 'agent.sock')}`,
      };
      await waitFor('the winner to answer', async () => {
        const p = spawn('node', [bundlePath, 'ps'], { env, stdio: 'ignore' });
        return (await new Promise((r) => p.on('close', r))) === 0;
      });
      expect(await bridgeExists(join(shared.dir, `d${first.i}`))).toBe(false);
    } finally {
      for (const s of both) await s.stop();
    }
  });
});

describe('flotilla agent cleanup', () => {
  const victim = new TestAgent();
  afterAll(async () => {
    await victim.destroy();
  });

  it('is refused while the agent runs, and after SIGKILL removes what it left', async () => {
    await victim.start();
    await victim.loadBusybox();
    const cleanup = () =>
      victim.cli([
        'agent',
        'cleanup',
        '--data-root',
        victim.dataRoot,
        '--exec-root',
        victim.execRoot,
      ]);
    expect((await victim.cli(['network', 'create', 'back'])).status).toBe(0);
    const run = await victim.cli([
      'run',
      '-d',
      '--name',
      'web',
      '-p',
      '18081:80',
      'busybox',
      'sleep',
      '600',
    ]);
    expect(run.stderr).toBe('');
    const busy = await cleanup();
    expect(busy.status).toBe(1);
    expect(busy.stderr.split('\n')[0]).toMatch(
      new RegExp(`^Error: an agent \\(pid \\d+\\) is running on ${victim.execRoot}$`),
    );

    const { namePrefix, chainPrefix } = namesFor(victim.dataRoot);
    const ours = async () => ({
      links: (await listLinks()).filter((l) => l.startsWith(namePrefix)),
      chains: (
        await Promise.all(
          ['nat', 'filter', 'raw'].map(
            async (t) => (await runCmd('iptables', ['-t', t, '-S'])).stdout,
          ),
        )
      )
        .join('\n')
        .split('\n')
        .filter((l) => l.includes(`${chainPrefix}-`)),
      netns: (await listNetns()).filter((n) => n.startsWith(`${namePrefix}-`)),
      mounts: readFileSync('/proc/mounts', 'utf8')
        .split('\n')
        .filter((l) => l.split(' ')[1]?.startsWith(victim.dir)),
    });
    victim.crash();
    // What a killed agent leaves: its bridges and veth, chains, the container's namespace, mounts.
    const left = await ours();
    expect(left.links.length).toBeGreaterThanOrEqual(3);
    expect(left.chains.length).toBeGreaterThan(0);
    expect(left.netns).toHaveLength(1);
    expect(left.mounts.length).toBeGreaterThan(0);

    const r = await waitFor('cleanup to get the lock of the killed agent', async () => {
      const c = await cleanup();
      return c.status === 0 ? c : undefined;
    });
    expect(r.stdout).toContain(`removed link ${namesFor(victim.dataRoot).bridgeName}`);
    expect(await ours()).toEqual({ links: [], chains: [], netns: [], mounts: [] });
    // Kernel and process leftovers only: the container's record and snapshot are data it keeps.
    const kernel = victim.leftovers(victim.ids()).filter((l) => !l.startsWith('snapshot '));
    expect(kernel).toEqual([]);
  });
});
