// Cluster (overlay) networks driven as a user does: `flotilla network` and `service --network`
// through the CLI against a real manager (embedded etcd, API, dispatcher, reconcilers), with
// simulated agents (real join and session, fake containers) and one node that records what its
// session receives of the networks (OverlayNetworks / OverlayChanges).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContextStore } from '../../../cli/contexts/index.js';
import { main } from '../../../cli/main.js';
import { runManager, type RunningManager } from '../../../manager/main.js';
import { portPair } from '../manager/harness.js';
import { createLogger } from '../../../shared/log/index.js';
import type { Service, Task } from '../../../shared/model/index.js';
import { parseSubnet, contains, ipToInt } from '../../../shared/net/cidr.js';
import {
  OverlayObserver,
  startSimAgent,
  waitFor,
  type SimAgent,
} from '../../harness/cluster/index.js';

process.env.FLOTILLA_LOG_LEVEL ??= 'warn';
const log = createLogger({ proc: 'test', level: process.env.FLOTILLA_LOG_LEVEL as 'warn' });

let dir: string;
let manager: RunningManager;
const agents: SimAgent[] = [];
const observer = new OverlayObserver();

async function cli(...argv: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const write = process.stdout.write.bind(process.stdout);
  const errWrite = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((c: string | Uint8Array) => ((out += c.toString()), true)) as never;
  process.stderr.write = ((c: string | Uint8Array) => ((out += c.toString()), true)) as never;
  try {
    return { code: await main(argv), out };
  } finally {
    process.stdout.write = write;
    process.stderr.write = errWrite;
  }
}

const store = () => manager.components.store;
const networkNamed = (name: string) =>
  store()
    .list('network')
    .find((n) => n.spec.name === name);
const serviceNamed = (name: string) => store().serviceByName(name);
const liveTasks = (s: Service | undefined): Task[] =>
  store()
    .list('task')
    .filter((t) => t.serviceId === s?.id && t.desiredState === 'running');

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'flotilla-overlay-'));
  // Below the ephemeral range, where the embedded etcd picks its ports (manager/harness.ts).
  const port = await portPair();
  const address = `127.0.0.1:${port}`;
  const contexts = new ContextStore(join(dir, 'config'));
  manager = await runManager(
    {
      dataRoot: join(dir, 'manager'),
      execRoot: join(dir, 'run'),
      listenGrpc: address,
      advertiseAddr: '127.0.0.1',
      init: true,
      socket: false,
      overlayKeyRotationMs: 1500,
    },
    {
      onInitialized: ({ clusterId, clusterName, apiAddr, admin }) => {
        contexts.save({ name: clusterName, clusterId, managers: [apiAddr] }, admin);
        contexts.use(clusterName);
      },
    },
  );
  process.env.FLOTILLA_CONFIG = join(dir, 'config');
  delete process.env.FLOTILLA_HOST;
  const token = manager.components.ca.joinToken('worker');
  agents.push(
    await startSimAgent({
      address,
      token,
      hostname: 'alpha',
      log,
      description: { addr: '192.0.2.1' },
    }),
  );
  await observer.start({ address, token, hostname: 'beta', addr: '192.0.2.2' });
  await waitFor(
    '2 ready nodes',
    () =>
      store()
        .list('node')
        .filter((n) => n.status.state === 'ready').length === 2,
  );
}, 120_000);

afterAll(async () => {
  await observer.stop();
  for (const a of agents) await a.stop().catch(() => undefined);
  await manager?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('network create / ls / inspect', () => {
  it('creates an overlay network with a subnet from the pool, a gateway and a VNI', async () => {
    const r = await cli('network', 'create', '-d', 'overlay', '--label', 'team=a', 'front');
    expect(r.code, r.out).toBe(0);
    expect(r.out.trim()).toMatch(/^[a-z0-9]{25}$/);
    await waitFor('front in the cache', () => networkNamed('front') !== undefined);
    const n = networkNamed('front')!;
    expect(n.subnet).toMatch(/^10\.10\.\d+\.0\/24$/);
    expect(n.gateway).toBe(n.subnet.replace('0/24', '1'));
    expect(n.vni).toBeGreaterThanOrEqual(4096);

    const ls = await cli('network', 'ls');
    expect(ls.out).toMatch(/NETWORK ID\s+NAME\s+DRIVER\s+SCOPE/);
    expect(ls.out).toMatch(new RegExp(`${n.id.slice(0, 12)}\\s+front\\s+overlay\\s+swarm`));
    const inspect = await cli('network', 'inspect', 'front');
    const [doc] = JSON.parse(inspect.out);
    expect(doc).toMatchObject({
      Name: 'front',
      Id: n.id,
      Scope: 'swarm',
      Driver: 'overlay',
      IPAM: { Config: [{ Subnet: n.subnet, Gateway: n.gateway }] },
      Labels: { team: 'a' },
      Options: { 'com.docker.network.driver.overlay.vxlanid_list': String(n.vni) },
    });
  });

  it('honours --subnet, --gateway, --internal, --attachable and --opt encrypted', async () => {
    const r = await cli(
      'network',
      'create',
      '-d',
      'overlay',
      '--subnet',
      '10.20.0.0/29',
      '--gateway',
      '10.20.0.6',
      '--internal',
      '--attachable',
      '--opt',
      'encrypted',
      'tiny',
    );
    expect(r.code, r.out).toBe(0);
    await waitFor('tiny in the cache', () => networkNamed('tiny') !== undefined);
    const n = networkNamed('tiny')!;
    expect(n).toMatchObject({ subnet: '10.20.0.0/29', gateway: '10.20.0.6' });
    expect(n.spec).toMatchObject({ internal: true, attachable: true, encrypted: true });
    const [doc] = JSON.parse((await cli('network', 'inspect', 'tiny')).out);
    expect(doc.Options).toHaveProperty('encrypted', '');
    // The keys stay in the store, sealed: the API never returns them.
    expect(JSON.stringify(doc)).not.toMatch(/sealed|keys/);
    expect(JSON.stringify(n)).not.toMatch(/"key"/);
  });

  it('refuses an existing name, an overlapping subnet, bad values and unknown options', async () => {
    const before = store().list('network').length;
    const cases: [string[], RegExp][] = [
      [['front'], /network with name front already exists/],
      [['--subnet', '10.20.0.0/24', 'x1'], /subnet 10\.20\.0\.0\/24 overlaps network tiny/],
      [['--subnet', '10.240.0.0/24', 'x2'], /overlaps 10\.240\.0\.0\/16/],
      [['--subnet', 'banana', 'x3'], /invalid subnet "banana"/],
      [
        ['--subnet', '10.30.0.0/24', '--gateway', '10.31.0.1', 'x4'],
        /invalid gateway "10\.31\.0\.1"/,
      ],
      [['--opt', 'mtu=1400', 'x5'], /unknown network option mtu/],
      [
        ['-o', 'encrypted', '-o', 'com.docker.network.driver.overlay.vxlanid_list=5000', 'x6'],
        /unknown network option com\.docker\.network\.driver\.overlay\.vxlanid_list/,
      ],
      [['bad/name'], /invalid network name "bad\/name"/],
      [['ingress'], /ingress is a pre-defined network/],
    ];
    for (const [args, message] of cases) {
      const r = await cli('network', 'create', '-d', 'overlay', ...args);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.out).toMatch(message);
      expect(r.out).not.toMatch(/\n\s+at /);
    }
    const flagError = await cli('network', 'create', '-d', 'macvlan', 'x7');
    expect(flagError.code).toBe(125);
    expect(flagError.out).toMatch(/--driver.*must be bridge or overlay/);
    expect(store().list('network')).toHaveLength(before);
  });
});

describe('services on networks', () => {
  it('attaches every network of the list: one address per task per network, a VIP each', async () => {
    await cli('network', 'create', '-d', 'overlay', 'back');
    const r = await cli(
      'service',
      'create',
      '--detach',
      '--name',
      'api',
      '--replicas',
      '3',
      '--network',
      'front,alias=api-front',
      '--network',
      'name=back,alias=backend,alias=db.internal',
      'busybox',
    );
    expect(r.code, r.out).toBe(0);
    await waitFor(
      '3 tasks with addresses',
      () => liveTasks(serviceNamed('api')).filter((t) => t.networks?.length === 2).length === 3,
    );
    const front = networkNamed('front')!;
    const back = networkNamed('back')!;
    const api = serviceNamed('api')!;
    expect(api.spec.taskTemplate.networks).toEqual([
      { target: front.id, aliases: ['api-front'] },
      { target: back.id, aliases: ['backend', 'db.internal'] },
    ]);
    const vips = api.endpoint!.virtualIps!;
    expect(vips.map((v) => v.networkId)).toEqual([front.id, back.id]);
    const addrs = new Set<string>(vips.map((v) => `${v.networkId}/${v.address}`));
    for (const t of liveTasks(api)) {
      expect(t.networks!.map((a) => a.networkId)).toEqual([front.id, back.id]);
      for (const a of t.networks!) {
        const net = a.networkId === front.id ? front : back;
        expect(contains(parseSubnet(net.subnet), ipToInt(a.address)!)).toBe(true);
        expect(a.address).not.toBe(net.gateway);
        expect(a).toMatchObject({ vni: net.vni, subnet: net.subnet, gateway: net.gateway });
        addrs.add(`${a.networkId}/${a.address}`);
      }
    }
    // 2 VIPs + 3 tasks × 2 networks, all different.
    expect(addrs.size).toBe(8);
    const inspect = JSON.parse((await cli('network', 'inspect', 'back')).out)[0];
    expect(inspect.Services.api.VIP).toBe(vips[1].address);
  });

  it('refuses an unknown network, a duplicate and a bad alias, creating nothing', async () => {
    const services = store().list('service').length;
    const unknown = await cli(
      'service',
      'create',
      '--detach',
      '--name',
      'x',
      '--network',
      'front',
      '--network',
      'nope',
      'busybox',
    );
    expect(unknown.code).toBe(1);
    expect(unknown.out).toMatch(/network nope not found/);
    const twice = await cli(
      'service',
      'create',
      '--detach',
      '--name',
      'x',
      '--network',
      'front',
      '--network',
      'front',
      'busybox',
    );
    expect(twice.code).toBe(1);
    expect(twice.out).toMatch(/network front is listed twice/);
    const alias = await cli(
      'service',
      'create',
      '--detach',
      '--name',
      'x',
      '--network',
      'front,alias=not_a dns',
      'busybox',
    );
    expect(alias.code).toBe(125);
    expect(alias.out).toMatch(/alias "not_a dns" is not a DNS name/);
    const mode = await cli(
      'service',
      'create',
      '--detach',
      '--name',
      'x',
      '--endpoint-mode',
      'ipvs',
      'busybox',
    );
    expect(mode.code).toBe(125);
    expect(store().list('service')).toHaveLength(services);
    const version = serviceNamed('api')!.version;
    const add = await cli('service', 'update', '--detach', '--network-add', 'nope', 'api');
    expect(add.code).toBe(1);
    expect(add.out).toMatch(/network nope not found/);
    expect(serviceNamed('api')!.version).toBe(version);
  });

  it('refuses to remove a network in use, naming the services', async () => {
    const r = await cli('network', 'rm', 'back');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/network back is in use by service\(s\) api/);
    expect(networkNamed('back')).toBeDefined();
  });

  it('sends each node its networks with every endpoint, the services, VIPs and aliases', async () => {
    const back = networkNamed('back')!;
    const api = serviceNamed('api')!;
    await waitFor('the observer holds back with 3 serving endpoints', () => {
      const n = observer.overlays.get(back.id);
      return n?.endpoints.filter((e) => e.serving).length === 3;
    });
    const n = observer.overlays.get(back.id)!;
    expect(n).toMatchObject({
      name: 'back',
      vni: back.vni,
      subnet: back.subnet,
      gateway: back.gateway,
    });
    const tasks = liveTasks(api);
    expect(n.endpoints.map((e) => e.address).sort()).toEqual(
      tasks.map((t) => t.networks!.find((a) => a.networkId === back.id)!.address).sort(),
    );
    const byNode = new Map(
      store()
        .list('node')
        .map((x) => [x.id, x.description.addr]),
    );
    for (const e of n.endpoints) {
      const t = tasks.find((x) => x.id === e.taskId)!;
      expect(e).toMatchObject({
        nodeId: t.nodeId,
        nodeAddr: byNode.get(t.nodeId!),
        serviceId: api.id,
      });
      expect(e.names).toEqual([`api.${t.slot}.${t.id}`]);
    }
    // Both nodes run tasks of api (spread), so the endpoint list names both underlay addresses.
    expect(new Set(n.endpoints.map((e) => e.nodeAddr))).toEqual(
      new Set(['192.0.2.1', '192.0.2.2']),
    );
    expect(n.services).toEqual([
      {
        serviceId: api.id,
        name: 'api',
        aliases: ['backend', 'db.internal'],
        endpointMode: 'vip',
        vip: api.endpoint!.virtualIps![1].address,
      },
    ]);
    expect(n.keys).toEqual([]);
  });

  it('sends changes: a task that stops serving at once, then leaves; --network-rm detaches', async () => {
    const back = networkNamed('back')!;
    const messagesBefore = observer.messages.length;
    const r = await cli('service', 'scale', '--detach', 'api=1');
    expect(r.code, r.out).toBe(0);
    // The node keeps the network while it runs a task on it: with one left, either it holds the
    // one endpoint, or (the task runs on the other node) it left the network.
    await waitFor('1 endpoint left on back, or the observer left it', () => {
      const mine = liveTasks(serviceNamed('api')).some((t) => t.nodeId === observer.nodeId);
      const n = observer.overlays.get(back.id);
      return mine ? n?.endpoints.length === 1 : n === undefined;
    });
    const changes = observer.messages.slice(messagesBefore).filter((m) => m !== 'full');
    expect(changes.length).toBeGreaterThan(0);
    // The observer is told a task stops serving (an upsert with serving false), or is gone.
    const flat = (
      changes as { upsertEndpoints?: { serving: boolean }[]; removedEndpoints?: string[] }[][]
    ).flat();
    expect(
      flat.some((c) => c.upsertEndpoints?.some((e) => !e.serving) || c.removedEndpoints?.length),
    ).toBe(true);

    const upd = await cli(
      'service',
      'update',
      '--detach',
      '--network-rm',
      'back',
      '--endpoint-mode',
      'dnsrr',
      'api',
    );
    expect(upd.code, upd.out).toBe(0);
    const api = serviceNamed('api')!;
    expect(api.spec.taskTemplate.networks.map((a) => a.target)).toEqual([
      networkNamed('front')!.id,
    ]);
    // dnsrr: no VIPs (and the VIP's address on back went back to the network).
    expect(api.endpoint?.virtualIps ?? []).toEqual([]);
    await waitFor('the observer left back', () => !observer.overlays.has(back.id));
    const rm = await cli('network', 'rm', 'back');
    expect(rm.code, rm.out).toBe(0);
    await waitFor('back is gone', () => networkNamed('back') === undefined);
  });

  it('sends keys of an encrypted network only to its nodes, and rotates them', async () => {
    const tiny = networkNamed('tiny')!;
    const r = await cli(
      'service',
      'create',
      '--detach',
      '--name',
      'sec',
      '--replicas',
      '2',
      '--network',
      'tiny',
      'busybox',
    );
    expect(r.code, r.out).toBe(0);
    await waitFor(
      'the observer holds tiny with keys',
      () => (observer.overlays.get(tiny.id)?.keys.length ?? 0) > 0,
    );
    const first = observer.overlays.get(tiny.id)!.keys.at(-1)!;
    expect(first.key).toHaveLength(20);
    expect(first.spi).toBeGreaterThanOrEqual(256);
    // Rotation every 1.5 s here: a newer generation arrives, the previous one is still listed.
    await waitFor(
      'a rotated key',
      () => observer.overlays.get(tiny.id)!.keys.at(-1)!.generation > first.generation,
    );
    const keys = observer.overlays.get(tiny.id)!.keys;
    expect(keys.length).toBe(2);
    expect(Buffer.from(keys[1].key).equals(Buffer.from(keys[0].key))).toBe(false);
  });

  it('keeps a task pending with the reason when its network has no free address', async () => {
    // tiny is a /29: 6 hosts, one the gateway, one sec's VIP, two sec's tasks: 2 left.
    await cli('service', 'scale', '--detach', 'sec=4');
    await waitFor(
      '4 tasks with addresses',
      () => liveTasks(serviceNamed('sec')).filter((t) => t.networks).length === 4,
    );
    const vip = serviceNamed('sec')!.endpoint!.virtualIps![0].address;
    const scaled = await cli('service', 'scale', '--detach', 'sec=5');
    expect(scaled.code, scaled.out).toBe(0);
    // An update keeps the service's VIPs.
    expect(serviceNamed('sec')!.endpoint!.virtualIps![0].address).toBe(vip);
    await waitFor(
      'a pending task',
      () => {
        if (process.env.DEBUG_OVERLAY)
          console.log(
            JSON.stringify(
              liveTasks(serviceNamed('sec')).map((t) => [
                t.status.state,
                t.pendingReason,
                t.networks?.[0]?.address,
              ]),
            ),
          );
        return liveTasks(serviceNamed('sec')).some(
          (t) => t.status.state === 'pending' && t.pendingReason,
        );
      },
      5000,
    );
    const ps = await cli('service', 'ps', 'sec');
    expect(ps.out).toMatch(/no free address left in 10\.20\.0\.0\/29 \(network tiny\)/);
    const all = liveTasks(serviceNamed('sec'))
      .flatMap((t) => t.networks ?? [])
      .map((a) => a.address);
    expect(new Set(all).size).toBe(all.length);
  });
});

describe('stacks', () => {
  it('creates the stack networks, attaches services with their aliases, removes them with the stack', async () => {
    const file = join(dir, 'stack.yml');
    await writeFile(
      file,
      [
        'services:',
        '  web:',
        '    image: busybox',
        '    networks: [default, ext]',
        '  db:',
        '    image: busybox',
        '    deploy: {endpoint_mode: dnsrr}',
        '    networks:',
        '      data: {aliases: [database]}',
        'networks:',
        '  data:',
        '    driver_opts: {encrypted: ""}',
        '    internal: true',
        '    labels: {tier: data}',
        '    ipam: {config: [{subnet: 10.30.5.0/24}]}',
        '  ext: {external: true, name: front}',
        '',
      ].join('\n'),
    );
    const r = await cli('stack', 'deploy', '-c', file, '-d', 's');
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain('Creating network s_data');
    expect(r.out).toContain('Creating network s_default');
    const data = networkNamed('s_data')!;
    expect(data).toMatchObject({ subnet: '10.30.5.0/24' });
    expect(data.spec).toMatchObject({ encrypted: true, internal: true });
    expect(data.spec.labels).toMatchObject({ tier: 'data', 'com.docker.stack.namespace': 's' });
    const web = serviceNamed('s_web')!;
    expect(web.spec.taskTemplate.networks).toEqual([
      { target: networkNamed('s_default')!.id, aliases: ['web'] },
      { target: networkNamed('front')!.id, aliases: ['web'] },
    ]);
    expect(web.endpoint?.virtualIps).toHaveLength(2);
    const db = serviceNamed('s_db')!;
    expect(db.spec.taskTemplate.networks).toEqual([
      { target: data.id, aliases: ['db', 'database'] },
    ]);
    expect(db.endpoint?.virtualIps ?? []).toEqual([]);

    const missing = join(dir, 'missing.yml');
    await writeFile(
      missing,
      'services:\n  a:\n    image: busybox\n    networks: [x]\nnetworks:\n  x: {external: true}\n',
    );
    const refused = await cli('stack', 'deploy', '-c', missing, '-d', 't');
    expect(refused.code).toBe(1);
    expect(refused.out).toMatch(/network x \(declared as external\) not found/);
    expect(serviceNamed('t_a')).toBeUndefined();

    const rmr = await cli('stack', 'rm', 's');
    expect(rmr.code, rmr.out).toBe(0);
    expect(rmr.out).toContain('Removing network s_data');
    await waitFor(
      'the stack networks are gone',
      () => !networkNamed('s_data') && !networkNamed('s_default'),
    );
    expect(networkNamed('front')).toBeDefined();
  });

  it('prunes networks no service uses', async () => {
    await cli('network', 'create', '-d', 'overlay', 'unused');
    const r = await cli('network', 'prune', '-f');
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/Deleted Networks:\n(.*\n)*unused\n/);
    await waitFor('unused is gone', () => networkNamed('unused') === undefined);
    // front is still used by api.
    expect(networkNamed('front')).toBeDefined();
    const ls = (await cli('network', 'ls', '--format', 'json')).out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { Name: string });
    expect(ls.map((n) => n.Name)).not.toContain('unused');
  });
});
