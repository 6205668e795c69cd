// Claims across managers on a real etcd: node subnets and ingress ports stay unique when two
// managers hand them out at the same instant, a port is never both an ingress port and a host-mode
// port when two managers publish it at once, session opens work past 127 nodes on an etcd run
// with its default limits (128 operations per transaction), and the address pools set by
// `flotilla manager --init --default-addr-pool … --default-addr-pool-mask-length …` are the ones
// node subnets come from, in order. Managers run in this process (runManager) except for the CLI
// flag cases; agents are simulated (real join and session protocol, fake engine and network).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TlsCredentials } from '../../../manager/ca/index.js';
import { EmbeddedEtcd, freePort } from '../../../manager/etcd/index.js';
import { runManager, type RunningManager } from '../../../manager/main.js';
import { objectKey, rootPrefix } from '../../../manager/store/index.js';
import { nodeFixture } from '../../../manager/store/fixtures.js';
import { createLogger } from '../../../shared/log/index.js';
import type { Service } from '../../../shared/model/index.js';
import { makeSpec, startSimAgent, type SimAgent, waitFor } from '../../harness/cluster/index.js';
import { etcdClientOptions, etcdManagerFlags, etcdSettings } from '../manager/etcd-harness.js';
import { bundleCli, cli, https, ManagerProcess, portPair } from '../manager/harness.js';

process.env.FLOTILLA_LOG_LEVEL ??= 'warn';
const log = createLogger({ proc: 'test', level: process.env.FLOTILLA_LOG_LEVEL as 'warn' });

async function grpcAddr(): Promise<string> {
  for (;;) {
    const p = await freePort();
    if (p < 65000) return `127.0.0.1:${p}`;
  }
}

/** An etcd started without --max-txn-ops / --max-request-bytes, as a packaged etcd runs. */
async function defaultEtcd(dir: string, name: string): Promise<EmbeddedEtcd> {
  const etcd = new EmbeddedEtcd({
    dataDir: join(dir, name),
    logFile: join(dir, `${name}.log`),
    etcdDefaultLimits: true,
  });
  await etcd.start();
  return etcd;
}

let dir: string;
let etcd: EmbeddedEtcd;
let m1: RunningManager;
let m2: RunningManager | undefined;
const agents: SimAgent[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'flotilla-claims-'));
  etcd = await defaultEtcd(dir, 'etcd');
  m1 = await runManager({
    dataRoot: join(dir, 'm1'),
    execRoot: join(dir, 'run-m1'),
    ...etcdSettings(etcd),
    listenGrpc: await grpcAddr(),
    advertiseAddr: '127.0.0.1',
    init: true,
    socket: false,
    // Hundreds of simulated agents join from 127.0.0.1: no per-address join limit.
    apiJoinRatePerMinute: 0,
  });
  await waitFor('leadership', () => m1.components.leader.isLeader());
}, 120_000);

afterAll(async () => {
  // Several at a time: 200+ sessions end faster together than one by one.
  for (let i = 0; i < agents.length; i += 25)
    await Promise.all(agents.slice(i, i + 25).map((a) => a.stop().catch(() => undefined)));
  await m2?.stop();
  await m1?.stop();
  await etcd?.stop('SIGKILL');
  if (dir) await rm(dir, { recursive: true, force: true });
}, 120_000);

/** Joins `count` simulated agents through the given managers (round robin), `wave` at a time. */
async function joinAgents(
  prefix: string,
  count: number,
  via: RunningManager[],
  wave: number,
): Promise<SimAgent[]> {
  const token = m1.components.ca.joinToken('worker');
  const started: SimAgent[] = [];
  for (let i = 0; i < count; i += wave) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(wave, count - i) }, (_, k) =>
        startSimAgent({
          address: via[(i + k) % via.length].components.config.grpcAddr,
          token,
          hostname: `${prefix}-${i + k}`,
          log,
          reporterFlushMs: 500,
        }),
      ),
    );
    agents.push(...batch);
    started.push(...batch);
  }
  return started;
}

/** Every node ready, subnets distinct, each claimed by its node, and each agent told its own. */
function expectDistinctSubnets(expected: number): void {
  const store = m1.components.store;
  const nodes = store.list('node');
  expect(nodes).toHaveLength(expected);
  expect(nodes.filter((n) => n.status.state === 'ready')).toHaveLength(expected);
  const subnets = nodes.map((n) => n.subnet);
  expect(subnets.every((s) => /^10\.240\.\d+\.0\/24$/.test(s ?? ''))).toBe(true);
  expect(new Set(subnets).size).toBe(expected);
  const claims = store.claims('subnets');
  expect(claims.size).toBe(expected);
  for (const n of nodes) expect(claims.get(n.subnet!)).toBe(n.id);
  for (const a of agents)
    expect(a.network.currentNodeSubnet).toBe(store.get('node', a.identity.nodeId)?.subnet);
}

describe('node subnets on an etcd with default limits', () => {
  it('is an etcd that refuses transactions of more than 128 operations', async () => {
    const client = new Etcd3(etcdClientOptions(etcd));
    try {
      const puts = Array.from({ length: 129 }, (_, i) => client.put(`/probe/${i}`).value('x'));
      await expect(
        client
          .if('/probe/none', 'Create', '==', 0)
          .then(...puts)
          .commit(),
      ).rejects.toThrow(/too many operations/);
    } finally {
      client.close();
    }
  });

  it('gives 160 agents joining one manager distinct subnets, all ready', async () => {
    const store = m1.components.store;
    // A node recorded by a manager from before claims: a subnet, no claim key.
    const legacy = nodeFixture({
      subnet: '10.240.5.0/24',
      status: { state: 'down', message: 'agent gone' },
    });
    const client = new Etcd3(etcdClientOptions(etcd));
    try {
      await client.put(objectKey('node', legacy.id)).value(JSON.stringify(legacy));
    } finally {
      client.close();
    }
    await waitFor('legacy node cached', () => store.get('node', legacy.id) !== undefined);
    await joinAgents('a', 160, [m1], 20);
    await waitFor(
      '160 ready nodes with their subnets',
      () =>
        store.list('node').filter((n) => n.status.state === 'ready').length === 160 &&
        agents.every(
          (a) => a.network.currentNodeSubnet === store.get('node', a.identity.nodeId)?.subnet,
        ),
      150_000,
    );
    // Nobody was given the legacy node's subnet; its next write claims it (backfill); `node rm`
    // releases it.
    expect(agents.map((a) => a.network.currentNodeSubnet)).not.toContain('10.240.5.0/24');
    await store.update((tx) => {
      const n = tx.get('node', legacy.id)!;
      tx.update('node', { ...n, spec: { ...n.spec, availability: 'drain' } });
    });
    expect(store.claims('subnets').get('10.240.5.0/24')).toBe(legacy.id);
    await store.update((tx) => tx.delete('node', legacy.id));
    expect(store.claims('subnets').has('10.240.5.0/24')).toBe(false);
    expectDistinctSubnets(160);
  }, 240_000);
});

describe('two managers on one etcd', () => {
  beforeAll(async () => {
    m2 = await runManager({
      dataRoot: join(dir, 'm2'),
      execRoot: join(dir, 'run-m2'),
      ...etcdSettings(etcd),
      listenGrpc: await grpcAddr(),
      advertiseAddr: '127.0.0.1',
      join: m1.components.config.grpcAddr,
      token: m1.components.ca.joinToken('manager'),
      socket: false,
      apiJoinRatePerMinute: 0,
    });
  }, 120_000);

  it('hands out distinct subnets to agents opening sessions through both at once', async () => {
    const before = agents.length;
    // All at once: each manager picks "the next free subnet" for its own opens concurrently.
    await joinAgents('b', 60, [m1, m2!], 60);
    const store = m1.components.store;
    const total = before + 60;
    await waitFor(
      `${total} ready nodes with their subnets`,
      () =>
        store.list('node').filter((n) => n.status.state === 'ready').length === total &&
        agents.every(
          (a) => a.network.currentNodeSubnet === store.get('node', a.identity.nodeId)?.subnet,
        ),
      150_000,
    );
    expectDistinctSubnets(total);
    await waitFor(
      'manager 2 sees every claim',
      () => m2!.components.store.claims('subnets').size === total,
    );
  }, 240_000);

  it('frees a removed node’s subnet for the next node', async () => {
    const store = m1.components.store;
    const gone = agents.pop()!;
    await gone.stop();
    const subnet = store.get('node', gone.identity.nodeId)!.subnet!;
    // Through manager 2, as `node rm --force` does (revoke, then delete).
    await m2!.components.ca.revoke(gone.identity.nodeId);
    await m2!.components.store.update((tx) => tx.delete('node', gone.identity.nodeId));
    await waitFor('claim released', () => !store.claims('subnets').has(subnet));
    // A node asking for exactly that subnet (--node-subnet) gets it: nobody holds it any more.
    const next = await startSimAgent({
      address: m1.components.config.grpcAddr,
      token: m1.components.ca.joinToken('worker'),
      hostname: 'c-0',
      log,
      nodeSubnet: subnet,
    });
    agents.push(next);
    await waitFor(
      'next node ready',
      () => store.get('node', next.identity.nodeId)?.status.state === 'ready',
    );
    expect(store.get('node', next.identity.nodeId)?.subnet).toBe(subnet);
    expect(store.claims('subnets').get(subnet)).toBe(next.identity.nodeId);
  }, 120_000);

  it('gives services created concurrently through both managers distinct ingress ports', async () => {
    const admins: TlsCredentials[] = await Promise.all(
      [m1, m2!].map((m, i) => m.components.ca.issueKeyAndCertificate('admin', `admin-claims-${i}`)),
    );
    const post = (i: number, name: string, published?: number) => {
      const m = [m1, m2!][i % 2];
      const a = admins[i % 2];
      const port = { target: 80, protocol: 'tcp' as const, mode: 'ingress' as const };
      const spec = makeSpec(name, {
        mode: { replicated: { replicas: 0 } },
        endpointSpec: { mode: 'vip', ports: [published ? { ...port, published } : port] },
      });
      return https(
        m.components.config.apiAddr,
        'POST',
        '/services',
        { spec },
        {
          ca: a.caCertPem,
          cert: a.certPem,
          key: a.keyPem,
        },
      );
    };
    const names = Array.from({ length: 10 }, (_, i) => `web-${i}`);
    const answers = await Promise.all(names.map((n, i) => post(i, n)));

    expect(answers.map((r) => (r.status === 201 ? 201 : JSON.stringify(r.body)))).toEqual(
      names.map(() => 201),
    );
    const store = m1.components.store;
    await waitFor('10 services', () => names.every((n) => store.serviceByName(n)));
    const portOf = (s: Service | undefined) => s?.endpoint?.ports[0]?.published;
    const ports = names.map((n) => portOf(store.serviceByName(n)));
    expect(ports.every((p) => typeof p === 'number' && p >= 30000 && p <= 32767)).toBe(true);
    expect(new Set(ports).size).toBe(10);
    const claims = store.claims('ingress-ports');
    for (const n of names) {
      const s = store.serviceByName(n)!;
      expect(claims.get(`tcp/${portOf(s)}`)).toBe(s.id);
    }
    // `service rm` (through the other manager) releases the port: a service asking for exactly
    // that port gets it.
    const first = store.serviceByName('web-0')!;
    const a = admins[1];
    const rmAnswer = await https(
      m2!.components.config.apiAddr,
      'DELETE',
      `/services/${first.id}`,
      undefined,
      { ca: a.caCertPem, cert: a.certPem, key: a.keyPem },
    );
    expect(rmAnswer.status).toBe(204);
    await waitFor(
      'port released',
      () => !store.claims('ingress-ports').has(`tcp/${portOf(first)}`),
    );
    const again = await post(0, 'web-again', portOf(first));
    expect(again.status === 201 ? 201 : again.body).toBe(201);
    await waitFor('web-again', () => !!store.serviceByName('web-again'));
    expect(portOf(store.serviceByName('web-again'))).toBe(portOf(first));
    // …and a fixed port another service holds is refused, naming the holder.
    const taken = await post(1, 'web-clash', portOf(store.serviceByName('web-1')));
    expect(taken.status).toBe(409);
    expect(JSON.stringify(taken.body)).toContain('service web-1 already publishes it');
  }, 120_000);

  it('never lets an ingress and a host-mode service created at once through both take one port', async () => {
    const admins: TlsCredentials[] = await Promise.all(
      [m1, m2!].map((m, i) => m.components.ca.issueKeyAndCertificate('admin', `admin-modes-${i}`)),
    );
    const post = (via: 0 | 1, name: string, mode: 'ingress' | 'host', published: number) => {
      const spec = makeSpec(name, {
        mode: { replicated: { replicas: 0 } },
        endpointSpec: { mode: 'vip', ports: [{ target: 80, published, protocol: 'tcp', mode }] },
      });
      const a = admins[via];
      return https(
        [m1, m2!][via].components.config.apiAddr,
        'POST',
        '/services',
        { spec },
        { ca: a.caCertPem, cert: a.certPem, key: a.keyPem },
      );
    };
    const rounds = 40;
    const outcomes: string[] = [];
    for (let i = 0; i < rounds; i++) {
      const port = 20000 + i;
      // Each manager chooses from its own cache: neither sees the other's service before it
      // commits. Which manager takes which mode, and which request goes first, alternate.
      const hostVia = (i % 2) as 0 | 1;
      const reqs = [
        () => post(hostVia, `mh-${i}`, 'host', port),
        () => post((1 - hostVia) as 0 | 1, `mi-${i}`, 'ingress', port),
      ];
      if (i % 4 >= 2) reqs.reverse();
      const [first, second] = await Promise.all(reqs.map((r) => r()));
      const answers = i % 4 >= 2 ? [second, first] : [first, second];
      outcomes.push(
        answers
          .map((r) => (r.status === 201 ? 201 : ((r.body as { code?: string }).code ?? r.status)))
          .join(' '),
      );
    }
    // One of each pair commits; the other is refused with the error naming both services and modes.
    const both = outcomes.filter((o) => o === '201 201').length;
    expect({ both, outcomes }).toMatchObject({ both: 0 });
    for (const o of outcomes)
      expect(['201 SERVICE_PORT_IN_USE', 'SERVICE_PORT_IN_USE 201']).toContain(o);
    const store = m1.components.store;
    await waitFor('every winner cached', () =>
      Array.from({ length: rounds }).every(
        (_, i) => store.serviceByName(`mh-${i}`) || store.serviceByName(`mi-${i}`),
      ),
    );
    for (let i = 0; i < rounds; i++) {
      const [h, g] = [store.serviceByName(`mh-${i}`), store.serviceByName(`mi-${i}`)];
      expect(Boolean(h) !== Boolean(g)).toBe(true);
      const claim = h
        ? store.claims('host-ports').get(`tcp/${20000 + i}/${h.id}`)
        : store.claims('ingress-ports').get(`tcp/${20000 + i}`);
      expect(claim).toBe((h ?? g)!.id);
    }
    // The refusal names both services and both modes.
    const loser = outcomes[0] === '201 SERVICE_PORT_IN_USE' ? 'mi-0' : 'mh-0';
    const again = await post(1, loser, loser === 'mi-0' ? 'ingress' : 'host', 20000);
    expect((again.body as { message: string }).message).toBe(
      loser === 'mi-0'
        ? 'cannot publish port 20000/tcp (ingress) for service mi-0: service mh-0 already publishes it (host)'
        : 'cannot publish port 20000/tcp (host) for service mh-0: service mi-0 already publishes it (ingress)',
    );
  }, 180_000);
});

describe('manager --init --default-addr-pool', () => {
  let root: string;
  let poolEtcd: EmbeddedEtcd;
  let twoPoolEtcd: EmbeddedEtcd | undefined;
  let m: ManagerProcess | undefined;
  let m2Pools: ManagerProcess | undefined;
  const poolAgents: SimAgent[] = [];
  /** `cfg`: the CLI config directory (each --init writes its cluster's context there). */
  const env = (cfg = 'cfg'): NodeJS.ProcessEnv => {
    const e: NodeJS.ProcessEnv = {
      ...process.env,
      FLOTILLA_CONFIG: join(root, cfg),
      FLOTILLA_LOG_LEVEL: 'warn',
    };
    delete e.FLOTILLA_CONTEXT;
    return e;
  };

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'flotilla-pool-'));
    poolEtcd = await defaultEtcd(root, 'etcd');
    await bundleCli();
  }, 120_000);

  afterAll(async () => {
    for (const a of poolAgents) await a.stop().catch(() => undefined);
    await m?.stop();
    await m2Pools?.stop();
    await poolEtcd?.stop('SIGKILL');
    await twoPoolEtcd?.stop('SIGKILL');
    if (root) await rm(root, { recursive: true, force: true });
  }, 60_000);

  it('refuses bad values with one line naming the flag and the value', async () => {
    const cases: [string[], string][] = [
      [
        ['--default-addr-pool', '10.50.0.0/20', '--default-addr-pool-mask-length', '19'],
        'invalid value "19" for flag --default-addr-pool-mask-length: must be at least the pool\'s prefix length 20',
      ],
      [
        ['--default-addr-pool', '10.50.0.0/20', '--default-addr-pool-mask-length', '31'],
        'invalid value "31" for flag --default-addr-pool-mask-length: must be at most 30',
      ],
      [
        ['--default-addr-pool', '10.50.3.0/20'],
        'invalid value "10.50.3.0/20" for flag --default-addr-pool: host bits set; did you mean 10.50.0.0/20?',
      ],
      [
        ['--default-addr-pool', 'ten-fifty'],
        'invalid value "ten-fifty" for flag --default-addr-pool',
      ],
      [
        ['--default-addr-pool', '10.50.0.0/20', '--default-addr-pool', '10.50.8.0/21'],
        'invalid value "10.50.8.0/21" for flag --default-addr-pool: overlaps the pool 10.50.0.0/20',
      ],
    ];
    for (const [flags, want] of cases) {
      const bad = new ManagerProcess(root, 'bad', await portPair(), env());
      bad.start(['--init', ...etcdManagerFlags(poolEtcd), ...flags]);
      expect(await bad.exited(60_000)).toBe(125);
      const errorLines = bad.stderr.split('\n').filter((l) => l.startsWith('Error: '));
      expect(errorLines).toEqual([expect.stringContaining(want)]);
    }
    // Without --init the pool cannot be set (it is fixed when the cluster is created).
    const r = cli(
      env(),
      'manager',
      ...etcdManagerFlags(poolEtcd),
      '--default-addr-pool',
      '10.50.0.0/20',
    );
    expect(r.status).toBe(125);
    expect(r.stderr).toContain('for flag --default-addr-pool: only with --init');
    // Nothing was written: the store is still empty.
    const client = new Etcd3(etcdClientOptions(poolEtcd));
    try {
      expect(await client.getAll().prefix(rootPrefix).keys()).toEqual([]);
    } finally {
      client.close();
    }
  }, 180_000);

  it('hands out /26 node subnets from 10.50.0.0/20', async () => {
    m = new ManagerProcess(root, 'm', await portPair(), env());
    m.start([
      '--init',
      ...etcdManagerFlags(poolEtcd),
      '--default-addr-pool',
      '10.50.0.0/20',
      '--default-addr-pool-mask-length',
      '26',
    ]);
    await m.ready();
    const info = cli(env(), 'cluster', 'info');
    expect(info.stdout).toMatch(/Address pool:\s+10\.50\.0\.0\/20 \(\/26 per node\)/);
    const json = JSON.parse(cli(env(), 'cluster', 'info', '--format', 'json').stdout) as {
      cluster: { addressPool: unknown };
    };
    expect(json.cluster.addressPool).toEqual({ cidrs: ['10.50.0.0/20'], subnetPrefixLength: 26 });
    const token = cli(env(), 'cluster', 'join-token', 'worker', '-q').stdout.trim();
    for (let i = 0; i < 3; i++)
      poolAgents.push(
        await startSimAgent({ address: m.grpcAddr, token, hostname: `pool-${i}`, log }),
      );
    const want = ['10.50.0.0/26', '10.50.0.64/26', '10.50.0.128/26'];
    await waitFor('agents on /26 subnets', () =>
      poolAgents.every((a) => want.includes(a.network.currentNodeSubnet)),
    );
    expect(new Set(poolAgents.map((a) => a.network.currentNodeSubnet)).size).toBe(3);
  }, 180_000);

  it('hands out node subnets from the second pool once the first is full, then refuses', async () => {
    twoPoolEtcd = await defaultEtcd(root, 'etcd-two-pools');
    const e = env('cfg-two-pools');
    // Two /28 pools of /30 subnets: four nodes each, the second pool lower in address.
    const pools = ['10.60.1.0/28', '10.60.0.16/28'];
    m2Pools = new ManagerProcess(root, 'm-two-pools', await portPair(), e);
    m2Pools.start([
      '--init',
      ...etcdManagerFlags(twoPoolEtcd),
      '--default-addr-pool',
      pools[0],
      '--default-addr-pool',
      pools[1],
      '--default-addr-pool-mask-length',
      '30',
    ]);
    await m2Pools.ready();
    expect(cli(e, 'cluster', 'info').stdout).toContain(
      ' Address pools:\t10.60.1.0/28, 10.60.0.16/28 (/30 per node, used in this order)',
    );
    const json = JSON.parse(cli(e, 'cluster', 'info', '--format', 'json').stdout) as {
      cluster: { addressPool: unknown };
    };
    expect(json.cluster.addressPool).toEqual({ cidrs: pools, subnetPrefixLength: 30 });
    const token = cli(e, 'cluster', 'join-token', 'worker', '-q').stdout.trim();
    const join = async (i: number) => {
      const a = await startSimAgent({
        address: m2Pools!.grpcAddr,
        token,
        hostname: `two-${i}`,
        log,
      });
      poolAgents.push(a);
      return a;
    };
    // A simulated agent starts with 10.240.0.0/24 until the manager gives it its subnet.
    const inPools = (a: SimAgent) => a.network.currentNodeSubnet.startsWith('10.60.');
    // One at a time, so the order subnets are handed out in is the order of the joins.
    const joined: SimAgent[] = [];
    for (let i = 0; i < 6; i++) {
      const a = await join(i);
      await waitFor(`agent ${i} has a pool subnet`, () => inPools(a));
      joined.push(a);
    }
    expect(joined.map((a) => a.network.currentNodeSubnet)).toEqual([
      '10.60.1.0/30',
      '10.60.1.4/30',
      '10.60.1.8/30',
      '10.60.1.12/30',
      '10.60.0.16/30',
      '10.60.0.20/30',
    ]);
    for (let i = 6; i < 8; i++) await join(i);
    await waitFor('8 nodes with pool subnets', () => poolAgents.slice(-8).every(inPools));
    // Both pools are full: the next node's session is refused, naming both pools.
    const ninth = await join(8);
    await waitFor('ninth refused', () => ninth.session.lastError !== undefined);
    expect(ninth.session.lastError?.code).toBe('NODE_SUBNET_POOL_EXHAUSTED');
    expect(ninth.session.lastError?.message).toBe(
      `no free /30 subnet left for node ${ninth.identity.nodeId} in the cluster address pools: 10.60.1.0/28, 10.60.0.16/28`,
    );
    expect(inPools(ninth)).toBe(false);
    expect(ninth.session.sessionsOpened).toBe(0);
  }, 180_000);
});
