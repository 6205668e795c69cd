// The real-container Flotilla column: a manager and one agent on this machine (separate processes
// of bin/flotilla, as a user runs them), a loopback docker-registry holding the benchmark's image,
// and the steps through the manager API as the CLI sends them. Each step is timed from the request
// until every task runs and reports healthy (remove: until the agent has no container left).
// Root only (runc, netns, iptables); run under the host-tests lock (README.md).
import { spawnSync } from 'node:child_process';
import { request } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManagerClient } from '../../cli/clients/manager-client.js';
import { ContextStore } from '../../cli/contexts/index.js';
import type { Service, ServiceSpec, Task } from '../../shared/model/index.js';
import { defaultServiceSpec } from '../../shared/model/service-defaults.js';
import { removeAgentNetwork } from '../../test/harness/agent-network.js';
import { freePort, startRegistry } from '../../test/harness/registry.js';
import { uploadImage } from '../../test/integration/image/helpers.js';
import { variants, webHealthcheck, webImage } from './images.js';
import { cpuSec, logTail, rssKiB, startFlotilla, stopChild, type Child } from './processes.js';

const pollMs = 50;
const clusterName = 'flt-conv-bench';

export interface RealOptions {
  bin: string;
  replicas: number;
  parallelism: number;
  /** Directory for agent.cpuprofile and manager.cpuprofile (node --cpu-prof), or none. */
  profDir?: string;
  nodeSubnet: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The task runs IMG: the manager pins a tag to the digest it resolved (`IMG@sha256:…`). */
const runsImage = (ref: string, img: string) => ref === img || ref.startsWith(`${img}@sha256:`);

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 600_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(pollMs);
  }
}

const round2 = (x: number) => Math.round(x * 100) / 100;

/** GET PATH on the agent's unix socket (Docker's Engine API). */
function agentGet<T>(socketPath: string, path: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () =>
        (res.statusCode ?? 500) < 300 ? resolve(JSON.parse(body) as T) : reject(new Error(body)),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

function conmonRssKiB(execRoot: string): { count: number; totalKiB: number } {
  let count = 0;
  let totalKiB = 0;
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8');
      if (!cmd.startsWith('conmon') || !cmd.includes(execRoot)) continue;
    } catch {
      continue;
    }
    count++;
    totalKiB += rssKiB(Number(p));
  }
  return { count, totalKiB };
}

export async function flotillaReal(opts: RealOptions): Promise<Record<string, unknown>> {
  const dir = await mkdtemp(join(tmpdir(), 'flt-conv-real-'));
  const registry = await startRegistry();
  const children: Child[] = [];
  const agentData = join(dir, 'agent');
  const agentExec = join(dir, 'run-agent');
  try {
    for (const v of variants)
      await uploadImage(registry.host, 'bench/web', v, await webImage(v, 'oci'));
    const image = (v: string) => `${registry.host}/bench/web:${v}`;
    // The API listens on the gRPC port + 1, where an agent's join looks for it.
    let port: number;
    do port = await freePort();
    while (port >= 65000);
    const grpc = `127.0.0.1:${port}`;
    const manager = startFlotilla(
      dir,
      opts.bin,
      'manager',
      [
        'manager',
        ...['--data-root', join(dir, 'manager'), '--exec-root', join(dir, 'run-manager')],
        ...['--listen-grpc', grpc, '--advertise-addr', '127.0.0.1'],
        ...['--init', '--cluster-name', clusterName, '--no-socket'],
      ],
      opts.profDir,
    );
    children.push(manager);
    const contexts = new ContextStore(join(dir, 'cli'));
    await until('the manager', async () => contexts.has(clusterName), 180_000).catch((e: Error) => {
      throw new Error(`${e.message}\n${logTail(manager)}`);
    });
    const client = new ManagerClient(contexts.get(clusterName));
    let token = '';
    await until('a join token', async () => {
      token = (await client.json<{ token: string }>({ path: '/cluster/join-token/worker' })).token;
      return true;
    });
    const agent = startFlotilla(
      dir,
      opts.bin,
      'agent',
      [
        'agent',
        ...['--data-root', agentData, '--exec-root', agentExec, '--node-subnet', opts.nodeSubnet],
        ...['--advertise-addr', '127.0.0.1', '--hostname', 'flt-conv-bench'],
        ...['--join', grpc, '--token', token],
      ],
      opts.profDir,
    );
    children.push(agent);
    await until(
      'a ready node',
      async () =>
        (await client.json<{ status: { state: string } }[]>({ path: '/nodes' })).some(
          (n) => n.status.state === 'ready',
        ),
      180_000,
    ).catch((e: Error) => {
      throw new Error(`${e.message}\n${logTail(agent)}`);
    });
    const sock = join(agentExec, 'agent.sock');

    const { replicas, parallelism } = opts;
    // CPU seconds per step: the agent, the manager, and what they waited for (runc, ip, ...).
    const cpu: Record<string, Record<string, number>> = {};
    const sec = async (step: string, fn: () => Promise<void>): Promise<number> => {
      const a0 = cpuSec(agent.child.pid!);
      const m0 = cpuSec(manager.child.pid!);
      const t0 = performance.now();
      await fn();
      const wall = Math.round(performance.now() - t0) / 1000;
      const a1 = cpuSec(agent.child.pid!);
      const m1 = cpuSec(manager.child.pid!);
      cpu[step] = {
        agent: round2(a1.self - a0.self),
        agentChildren: round2(a1.children - a0.children),
        manager: round2(m1.self - m0.self + m1.children - m0.children),
      };
      return wall;
    };
    let id = '';
    const tasks = () => client.json<Task[]>({ path: `/tasks?service=${id}` });
    const healthy = (all: Task[], img: string) => {
      const failed = all.find((t) => t.status.state === 'failed' || t.status.state === 'rejected');
      if (failed) throw new Error(`a task failed: ${failed.status.err ?? failed.status.message}`);
      return all.filter(
        (t) =>
          t.desiredState === 'running' &&
          t.status.state === 'running' &&
          t.status.health === 'healthy' &&
          runsImage(t.spec.containerSpec.image, img),
      ).length;
    };
    const update = async (patch: (s: ServiceSpec) => void) => {
      const s = await client.json<Service>({ path: `/services/${id}` });
      const spec = structuredClone(s.spec);
      patch(spec);
      await client.json({
        method: 'POST',
        path: `/services/${id}/update`,
        body: { version: s.version, spec },
      });
    };

    const spec = defaultServiceSpec('bench', image('a'));
    spec.mode = { replicated: { replicas } };
    spec.taskTemplate.containerSpec.healthcheck = {
      test: webHealthcheck.test,
      intervalNs: webHealthcheck.intervalSec * 1e9,
      timeoutNs: webHealthcheck.timeoutSec * 1e9,
      retries: webHealthcheck.retries,
    };
    // As Swarm's column: stop-first, no delay, no monitor window.
    spec.updateConfig = {
      ...spec.updateConfig,
      parallelism,
      delayNs: 0,
      monitorNs: 0,
      order: 'stop-first',
    };
    const rss0 = rssKiB(agent.child.pid!);
    const createSec = await sec('create', async () => {
      id = (
        await client.json<{ id: string }>({ method: 'POST', path: '/services', body: { spec } })
      ).id;
      await until('create', async () => healthy(await tasks(), image('a')) === replicas);
    });
    const scaleSec = await sec('scale', async () => {
      await update((s) => (s.mode = { replicated: { replicas: replicas * 2 } }));
      await until('scale', async () => healthy(await tasks(), image('a')) === replicas * 2);
    });
    const rssAt = rssKiB(agent.child.pid!);
    const conmon = conmonRssKiB(agentExec);
    let maxDown = 0;
    const rollingUpdateSec = await sec('rollingUpdate', async () => {
      await update((s) => (s.taskTemplate.containerSpec.image = image('b')));
      await until('the rolling update', async () => {
        const all = await tasks();
        const up = new Set(all.filter((t) => t.status.state === 'running').map((t) => t.slot)).size;
        maxDown = Math.max(maxDown, replicas * 2 - up);
        if (healthy(all, image('b')) !== replicas * 2) return false;
        const s = await client.json<Service>({ path: `/services/${id}` });
        return s.updateStatus?.state === 'completed';
      });
    });
    const removeSec = await sec('remove', async () => {
      await client.json({ method: 'DELETE', path: `/services/${id}` });
      await until(
        'removal',
        async () => (await agentGet<unknown[]>(sock, '/containers/json?all=1')).length === 0,
      );
    });
    return {
      createSec,
      scaleSec,
      rollingUpdateSec,
      rollingUpdateMaxSlotsDown: maxDown,
      removeSec,
      totalSec: Math.round((createSec + scaleSec + rollingUpdateSec + removeSec) * 1000) / 1000,
      cpuSec: cpu,
      memory: {
        agentRssBeforeMiB: Math.round(rss0 / 102.4) / 10,
        agentRssAtScaleMiB: Math.round(rssAt / 102.4) / 10,
        agentRssPerContainerKiB: Math.round((rssAt - rss0) / (replicas * 2)),
        conmons: conmon.count,
        conmonRssPerContainerKiB: conmon.count ? Math.round(conmon.totalKiB / conmon.count) : 0,
      },
      note: 'real containers: one agent (runc + conmon, default bridge network) and a manager on this machine; times from the API request to all tasks running and healthy (remove: to no container left on the agent), polled every 50 ms',
    };
  } catch (err) {
    return { failed: (err as Error).message.split('\n').slice(0, 12).join('\n') };
  } finally {
    for (const c of [...children].reverse()) await stopChild(c);
    // Containers left by a failed run (the agent keeps them across its own restarts).
    spawnSync(
      process.execPath,
      [opts.bin, 'agent', 'cleanup', '--data-root', agentData, '--exec-root', agentExec],
      {
        stdio: 'ignore',
      },
    );
    await removeAgentNetwork(agentData).catch(() => undefined);
    await registry.stop();
    if (!process.env.BENCH_KEEP) await rm(dir, { recursive: true, force: true });
  }
}
