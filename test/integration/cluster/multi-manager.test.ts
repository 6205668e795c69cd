// Two managers on one etcd: an agent whose session is held by the follower must stay ready in the
// eyes of the leader's node watcher (heartbeat records in etcd), and go down once it stops. An
// agent learns every manager from its session and fails over when the one holding it stops.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { heartbeatsPrefix } from '../../../manager/dispatcher/index.js';
import { etcdPkiFiles, freePort } from '../../../manager/etcd/index.js';
import { runManager, type RunningManager } from '../../../manager/main.js';
import { createLogger } from '../../../shared/log/index.js';
import { newId } from '../../../manager/store/index.js';
import { makeSpec, startSimAgent, type SimAgent, waitFor } from '../../harness/cluster/index.js';

process.env.FLOTILLA_LOG_LEVEL ??= 'warn';
const log = createLogger({ proc: 'test', level: process.env.FLOTILLA_LOG_LEVEL as 'warn' });

async function grpcPort(): Promise<number> {
  for (;;) {
    const p = await freePort();
    if (p < 65000) return p;
  }
}

let dir: string;
let leader: RunningManager;
let follower: RunningManager;
let agent: SimAgent | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'flotilla-managers-'));
  const a = `127.0.0.1:${await grpcPort()}`;
  leader = await runManager({
    dataRoot: join(dir, 'a'),
    execRoot: join(dir, 'run-a'),
    listenGrpc: a,
    advertiseAddr: '127.0.0.1',
    init: true,
    socket: false,
  });
  await waitFor('leadership', () => leader.components.leader.isLeader());
  const ports = JSON.parse(await readFile(join(dir, 'a', 'etcd-ports.json'), 'utf8')) as {
    clientPort: number;
  };
  const pki = etcdPkiFiles(join(dir, 'a', 'etcd-pki'));
  follower = await runManager({
    dataRoot: join(dir, 'b'),
    execRoot: join(dir, 'run-b'),
    etcd: [`https://127.0.0.1:${ports.clientPort}`],
    etcdCacert: pki.caFile,
    etcdCert: pki.clientCertFile,
    etcdKey: pki.clientKeyFile,
    listenGrpc: `127.0.0.1:${await grpcPort()}`,
    advertiseAddr: '127.0.0.1',
    join: a,
    token: leader.components.ca.joinToken('manager'),
    socket: false,
  });
}, 60_000);

afterAll(async () => {
  await agent?.stop().catch(() => undefined);
  await follower?.stop();
  await leader?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('heartbeats across managers', () => {
  it('keeps a node whose session the follower holds ready on the leader', async () => {
    expect(follower.components.leader.isLeader()).toBe(false);
    const store = leader.components.store;
    const token = leader.components.ca.joinToken('worker');
    agent = await startSimAgent({
      address: follower.components.config.grpcAddr,
      token,
      hostname: 'delta',
      log,
    });
    const nodeId = agent.identity.nodeId;
    await waitFor('delta ready', () => store.get('node', nodeId)?.status.state === 'ready');
    let wentDown = false;
    const unsubscribe = store.subscribe((e) => {
      if (e.kind === 'node' && e.type === 'put' && e.object.id === nodeId)
        wentDown ||= e.object.status.state === 'down';
    });
    // Longer than the node-down grace period (10 s) after the session opened.
    const graceMs = (leader.components.ca.cluster.nodeDownGraceNs || 10e9) / 1e6;
    await new Promise((r) => setTimeout(r, graceMs + 4000));
    unsubscribe();
    expect(wentDown).toBe(false);
    expect(store.get('node', nodeId)?.status.state).toBe('ready');
    // One record per manager, not one key per node.
    const keys = Object.keys(
      await leader.components.etcd!.getAll().prefix(heartbeatsPrefix).strings(),
    );
    expect(keys.length).toBe(2);
  }, 60_000);

  it('marks the node down on the leader once its agent stops', async () => {
    const store = leader.components.store;
    const nodeId = agent!.identity.nodeId;
    await agent!.stop();
    agent = undefined;
    await waitFor('delta down', () => store.get('node', nodeId)?.status.state === 'down', 40_000);
  }, 60_000);

  it('fails an agent over to another manager when the one holding its session stops', async () => {
    // A third manager on the same etcd (the leader owns the embedded etcd, so it stays up).
    const third = await runManager({
      dataRoot: join(dir, 'c'),
      execRoot: join(dir, 'run-c'),
      etcd: follower.components.config.etcd,
      etcdCacert: follower.components.config.etcdCacert,
      etcdCert: follower.components.config.etcdCert,
      etcdKey: follower.components.config.etcdKey,
      listenGrpc: `127.0.0.1:${await grpcPort()}`,
      advertiseAddr: '127.0.0.1',
      join: leader.components.config.grpcAddr,
      token: leader.components.ca.joinToken('manager'),
      socket: false,
    });
    let thirdStopped = false;
    try {
      const c = third.components.config.grpcAddr;
      const all = [leader, follower, third].map((m) => m.components.config.grpcAddr);
      agent = await startSimAgent({
        address: c,
        token: leader.components.ca.joinToken('worker'),
        hostname: 'echo',
        log,
      });
      const nodeId = agent.identity.nodeId;
      // Joined through the third manager alone; its session tells it every manager alive.
      await waitFor('echo knows all three managers', () =>
        all.every((x) => agent!.identity.managers.includes(x)),
      );
      expect(agent.session.state).toBe('connected');
      const opened = agent.session.sessionsOpened;
      await third.stop();
      thirdStopped = true;
      await waitFor(
        'echo in session with another manager',
        () => agent!.session.sessionsOpened > opened && agent!.session.state === 'connected',
        30_000,
      );
      // The leader keeps it ready past the node-down grace period.
      const store = leader.components.store;
      const graceMs = (leader.components.ca.cluster.nodeDownGraceNs || 10e9) / 1e6;
      await new Promise((r) => setTimeout(r, graceMs + 2000));
      expect(store.get('node', nodeId)?.status.state).toBe('ready');
      // The list it keeps now names only the managers that are left.
      await waitFor(
        'echo forgets the stopped manager',
        () => !agent!.identity.managers.includes(c),
      );
      expect(agent.identity.managers.sort()).toEqual(all.filter((x) => x !== c).sort());
      await agent.stop();
      agent = undefined;
    } finally {
      if (!thirdStopped) await third.stop();
    }
  }, 90_000);

  it('serves the logs of a node whose session another manager holds', async () => {
    agent = await startSimAgent({
      address: follower.components.config.grpcAddr,
      token: leader.components.ca.joinToken('worker'),
      hostname: 'foxtrot',
      log,
    });
    const store = leader.components.store;
    const nodeId = agent.identity.nodeId;
    await waitFor('foxtrot ready', () => store.get('node', nodeId)?.status.state === 'ready');
    const now = new Date().toISOString();
    // A name of its own, so that a retried attempt does not meet the first one's service.
    const name = `far-${newId().slice(0, 6)}`;
    const spec = makeSpec(name, {
      mode: { replicated: { replicas: 1 } },
    });
    spec.taskTemplate.placement.constraints = ['node.hostname==foxtrot'];
    await store.update((tx) =>
      tx.create('service', { id: newId(), version: 1, createdAt: now, updatedAt: now, spec }),
    );
    const running = () =>
      store
        .list('task')
        .find((t) => t.nodeId === nodeId && t.status.state === 'running' && t.status.containerId);
    await waitFor(`${name} running on foxtrot`, () => !!running());
    agent.engine.writeLog(running()!.status.containerId!, 'from far away', 'stdout', new Date());
    // The leader holds no session with foxtrot: it must ask the follower, which does.
    expect(leader.components.store.get('node', nodeId)).toBeDefined();
    const admin = await leader.components.ca.issueKeyAndCertificate('admin', 'admin-logs');
    const body = await new Promise<string>((resolve, reject) => {
      const [host, port] = leader.components.config.apiAddr.split(':');
      const req = request(
        {
          host,
          port: Number(port),
          path: `/services/${name}/logs`,
          key: admin.keyPem,
          cert: admin.certPem,
          ca: admin.caCertPem,
        },
        (res) => {
          let b = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (b += c));
          res.on('end', () => resolve(b));
        },
      );
      req.on('error', reject);
      req.end();
    });
    const records = body
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { line?: string; node?: string; error?: unknown });
    expect(records).toEqual([expect.objectContaining({ line: 'from far away', node: 'foxtrot' })]);
    await agent.stop();
    agent = undefined;
  }, 60_000);
});
