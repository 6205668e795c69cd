// Cluster networking and service logs over the session stream: a real manager (embedded etcd,
// CA, API, dispatcher) with simulated agents (real join and session client, fake engine and a
// recording network component) over gRPC mTLS.
import { request } from 'node:https';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerServiceLogs } from '../../../cli/commands/service/logs.js';
import type { CliContext } from '../../../cli/context.js';
import { ContextStore } from '../../../cli/contexts/index.js';
import type { TlsCredentials } from '../../../manager/ca/index.js';
import { freePort } from '../../../manager/etcd/index.js';
import { runManager, type RunningManager } from '../../../manager/main.js';
import { newId } from '../../../manager/store/index.js';
import type { ObjectStore } from '../../../manager/store/types.js';
import { createLogger } from '../../../shared/log/index.js';
import type { Service } from '../../../shared/model/index.js';
import { makeSpec, startSimAgent, type SimAgent, waitFor } from '../../harness/cluster/index.js';

process.env.FLOTILLA_LOG_LEVEL ??= 'warn';
const log = createLogger({ proc: 'test', level: process.env.FLOTILLA_LOG_LEVEL as 'warn' });

let dir: string;
let manager: RunningManager;
let store: ObjectStore;
let admin: TlsCredentials;
const agents: Record<string, SimAgent> = {};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'flotilla-netlogs-'));
  let port = await freePort();
  while (port >= 65000) port = await freePort();
  const address = `127.0.0.1:${port}`;
  manager = await runManager({
    dataRoot: join(dir, 'manager'),
    execRoot: join(dir, 'run'),
    listenGrpc: address,
    advertiseAddr: '127.0.0.1',
    init: true,
    socket: false,
  });
  store = manager.components.store;
  admin = await manager.components.ca.issueKeyAndCertificate('admin', 'admin-test');
  const token = manager.components.ca.joinToken('worker');
  const specs = [
    { hostname: 'alpha', addr: '10.0.0.1' },
    { hostname: 'beta', addr: '10.0.0.2', nodeSubnet: '10.99.0.0/24' },
    // Asks for beta's subnet: the manager must hand out another one.
    { hostname: 'gamma', addr: '10.0.0.3', nodeSubnet: '10.99.0.0/24' },
  ];
  for (const s of specs)
    agents[s.hostname] = await startSimAgent({
      address,
      token,
      hostname: s.hostname,
      log,
      description: { addr: s.addr },
      nodeSubnet: s.nodeSubnet,
    });
  await waitFor(
    '3 ready nodes',
    () => store.list('node').filter((n) => n.status.state === 'ready').length === 3,
  );
});

afterAll(async () => {
  for (const a of Object.values(agents)) await a.stop().catch(() => undefined);
  await manager?.stop();
  await rm(dir, { recursive: true, force: true });
});

const nodeOf = (host: string) => store.get('node', agents[host].identity.nodeId)!;

function apiGet(path: string): Promise<{ status: number; body: string }> {
  const [host, port] = manager.components.config.apiAddr.split(':');
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host,
        port: Number(port),
        path,
        key: admin.keyPem,
        cert: admin.certPem,
        ca: admin.caCertPem,
        servername: 'localhost',
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('cluster networking', () => {
  it('gives every node its own subnet and records a requested one unless it clashes', () => {
    const subnets = ['alpha', 'beta', 'gamma'].map((h) => nodeOf(h).subnet);
    expect(nodeOf('beta').subnet).toBe('10.99.0.0/24');
    expect(nodeOf('alpha').subnet).toMatch(/^10\.240\.\d+\.0\/24$/);
    expect(nodeOf('gamma').subnet).toMatch(/^10\.240\.\d+\.0\/24$/);
    expect(new Set(subnets).size).toBe(3);
  });

  it('moves an agent without an explicit subnet onto the one it was given', async () => {
    await waitFor(
      'alpha on its subnet',
      () => agents.alpha.network.currentNodeSubnet === nodeOf('alpha').subnet,
    );
    // An explicit --node-subnet stays as given locally (the clash is logged).
    expect(agents.gamma.network.currentNodeSubnet).toBe('10.99.0.0/24');
  });

  it('routes every other node subnet via its address', async () => {
    const want = (self: string) =>
      ['alpha', 'beta', 'gamma']
        .filter((h) => h !== self)
        .map((h) => `${nodeOf(h).subnet} via ${nodeOf(h).description.addr}`)
        .sort();
    const have = (h: string) =>
      agents[h].network.routes.map((r) => `${r.subnet} via ${r.via}`).sort();
    await waitFor('peer routes', () =>
      ['alpha', 'beta', 'gamma'].every((h) => have(h).join() === want(h).join()),
    );
    expect(have('alpha')).toEqual(want('alpha'));
    expect(have('alpha')).toHaveLength(2);
  });

  it('withdraws the routes of a removed node', async () => {
    const gammaId = agents.gamma.identity.nodeId;
    const gammaSubnet = nodeOf('gamma').subnet;
    await agents.gamma.stop();
    delete agents.gamma;
    await store.update((tx) => tx.delete('node', gammaId));
    await waitFor('gamma route gone', () =>
      ['alpha', 'beta'].every(
        (h) =>
          agents[h].network.routes.length === 1 &&
          !agents[h].network.routes.some((r) => r.subnet === gammaSubnet),
      ),
    );
    expect(agents.alpha.network.routes).toEqual([
      { subnet: nodeOf('beta').subnet, via: '10.0.0.2' },
    ]);
  });
});

describe('service logs', () => {
  let web: Service;

  it('merges the logs of every task across nodes, by time, as NDJSON', async () => {
    const now = new Date().toISOString();
    web = {
      id: newId(),
      version: 1,
      createdAt: now,
      updatedAt: now,
      spec: makeSpec('web', { mode: { replicated: { replicas: 2 } } }),
    };
    await store.update((tx) => tx.create('service', web));
    const running = () =>
      store
        .list('task')
        .filter(
          (t) =>
            t.serviceId === web.id && t.desiredState === 'running' && t.status.state === 'running',
        );
    await waitFor('2 running', () => running().length === 2);
    const tasks = running().sort((a, b) => a.slot - b.slot);
    expect(new Set(tasks.map((t) => t.nodeId)).size).toBe(2);
    const base = Date.now() - 10_000;
    for (const [i, t] of tasks.entries()) {
      const agent = Object.values(agents).find((a) => a.identity.nodeId === t.nodeId)!;
      for (let n = 0; n < 3; n++)
        agent.engine.writeLog(
          t.status.containerId!,
          `slot${t.slot} line${n}`,
          n === 2 ? 'stderr' : 'stdout',
          new Date(base + n * 1000 + i * 500),
        );
    }
    const res = await apiGet(`/services/web/logs`);
    expect(res.status).toBe(200);
    const records = res.body
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { line: string; slot: number; node: string; stream: string });
    expect(records.map((r) => r.line)).toEqual([
      'slot1 line0',
      'slot2 line0',
      'slot1 line1',
      'slot2 line1',
      'slot1 line2',
      'slot2 line2',
    ]);
    expect(records[4].stream).toBe('stderr');
    expect(new Set(records.map((r) => r.node))).toEqual(
      new Set(tasks.map((t) => store.get('node', t.nodeId!)!.description.hostname)),
    );

    const tail = await apiGet(`/services/web/logs?tail=1`);
    const lines = tail.body
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { line: string }).line);
    expect(lines).toEqual(['slot1 line2', 'slot2 line2']);
  });

  it('prints them with `service logs` as name.slot.taskid@node | line', async () => {
    process.env.FLOTILLA_CONFIG = join(dir, 'cli');
    new ContextStore(join(dir, 'cli')).save(
      {
        name: 'test',
        clusterId: manager.components.ca.cluster.id,
        managers: [manager.components.config.apiAddr],
      },
      admin,
    );
    const collect = () => {
      const s = new PassThrough();
      let text = '';
      s.on('data', (c: Buffer) => (text += c.toString()));
      return { s, text: () => text };
    };
    const out = collect();
    const err = collect();
    const ctx: CliContext = {
      agent: () => {
        throw new Error('service logs must not need an agent');
      },
      debug: false,
      hostGiven: false,
      contextName: 'test',
      out: out.s,
      err: err.s,
    };
    const program = new Command();
    registerServiceLogs(program.command('service'), () => ctx);
    await program.parseAsync(['node', 'flotilla', 'service', 'logs', '--tail', '2', '-t', 'web']);
    const lines = out.text().trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^web\.1\.[a-z0-9]{12}@\w+ +\| \S+Z slot1 line1$/);
    expect(lines[1]).toMatch(/^web\.2\.[a-z0-9]{12}@\w+ +\| \S+Z slot2 line1$/);
    // stderr lines (line2) go to stderr, with the same prefix.
    expect(err.text()).toMatch(/^web\.1\.[a-z0-9]{12}@\w+ +\| \S+Z slot1 line2$/m);
  });

  it('reports a task whose node is unreachable instead of failing the whole request', async () => {
    const t = store
      .list('task')
      .find((x) => x.serviceId === web.id && x.desiredState === 'running' && x.slot === 1)!;
    const host = store.get('node', t.nodeId!)!.description.hostname;
    await agents[host].stop();
    await waitFor('session closed', () => {
      const d = manager.components.nodeLogs?.source as unknown as {
        hasSession(n: string): boolean;
      };
      return !d.hasSession(t.nodeId!);
    });
    const res = await apiGet(`/services/web/logs`);
    const records = res.body
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, any>);
    const errors = records.filter((r) => r.error);
    expect(errors.length).toBeGreaterThanOrEqual(1);
    expect(errors[0].error.code).toBe('NODE_LOGS_UNAVAILABLE');
    expect(records.filter((r) => r.line && r.taskId !== t.id).length).toBe(3);
    await agents[host].restart();
  });
});
