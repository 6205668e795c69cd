// Networks through the Docker API, driven by the docker CLI and docker-py against an agent:
// `network create/ls/inspect/connect/disconnect/rm/prune` with Docker's bodies, several networks
// at create, --ipc container:NAME, and the create fields Dns/DnsSearch/DnsOptions/ExtraHosts/
// Sysctls/GroupAdd, each asserted inside the containers.
import { afterAll, describe, expect, it } from 'vitest';
import { TestAgent, useTestAgent } from '../runtime/harness.js';
import { dockerCli, dockerPy } from './docker-client.js';

const agent = new TestAgent([], '10.251.76.0/24');
useTestAgent(agent);
let cli: ReturnType<typeof dockerCli> | undefined;
const docker = (args: string[]) => (cli ??= dockerCli(agent))(args);
const py = (script: string) => dockerPy(agent)(script);

async function ok(args: string[]): Promise<string> {
  const r = await docker(args);
  expect(r.stderr, args.join(' ')).toBe('');
  expect(r.status, args.join(' ')).toBe(0);
  return r.stdout;
}

const inspect = async (name: string) =>
  (JSON.parse(await ok(['network', 'inspect', name])) as Record<string, unknown>[])[0];

afterAll(async () => {
  await agent.removeAll();
  for (const n of ['n1', 'n2', 'pn']) await docker(['network', 'rm', n]);
});

describe('docker network through the Engine API', () => {
  it('creates, lists and inspects with Docker’s bodies; refuses what it cannot honour', async () => {
    const id = (
      await ok(
        ['network', 'create', '--subnet', '10.251.77.0/24', '--gateway', '10.251.77.1'].concat([
          '--label',
          'team=a',
          '--attachable',
          'n1',
        ]),
      )
    ).trim();
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    const n = await inspect('n1');
    expect(n).toMatchObject({
      Name: 'n1',
      Id: id,
      Driver: 'bridge',
      Scope: 'local',
      Attachable: true,
      Internal: false,
      Labels: { team: 'a' },
      IPAM: { Driver: 'default', Config: [{ Subnet: '10.251.77.0/24', Gateway: '10.251.77.1' }] },
      Containers: {},
    });
    await ok(['network', 'create', '--subnet', '10.251.78.0/24', 'n2']);
    expect(await ok(['network', 'ls', '--filter', 'label=team=a', '--format', '{{.Name}}'])).toBe(
      'n1\n',
    );
    const all = await ok(['network', 'ls', '--format', '{{.Name}} {{.Driver}}']);
    expect(all.split('\n')).toEqual(expect.arrayContaining(['bridge bridge', 'n2 bridge']));

    const dup = await docker(['network', 'create', 'n1']);
    expect(dup.status).toBe(1);
    expect(dup.stderr).toContain('network with name n1 already exists');
    for (const [args, message] of [
      [['--internal'], 'Internal is not supported'],
      [['-o', 'com.docker.network.bridge.name=br9'], 'Options com.docker.network.bridge.name'],
      [['--subnet', '10.251.79.0/24', '--gateway', '10.251.79.9'], 'Gateway 10.251.79.9'],
      [['--ipv6'], 'EnableIPv6 is not supported'],
      [['-d', 'macvlan'], 'Driver macvlan is not supported'],
    ] as const) {
      const r = await docker(['network', 'create', ...args, 'nx']);
      expect(r.status, args.join(' ')).toBe(1);
      expect(r.stderr).toContain(message);
    }
    const missing = await docker(['network', 'inspect', 'nope']);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('network nope not found');
  });

  it('docker run --network a --network b: an address on both, peers reached by alias', async () => {
    await ok(
      ['run', '-d', '--name', 'peer', '--network', 'n2', '--network-alias', 'db'].concat([
        'busybox',
        'sleep',
        '300',
      ]),
    );
    await ok(
      ['run', '-d', '--name', 'both', '--network', 'n1', '--network', 'n2'].concat([
        'busybox',
        'sleep',
        '300',
      ]),
    );
    const out = await ok(
      ['exec', 'both', 'sh', '-c'].concat([
        'ip -4 -o addr show; ping -c 1 -W 5 db >/dev/null && echo reached',
      ]),
    );
    expect(out).toMatch(/eth0\s+inet 10\.251\.77\.\d+\/24/);
    expect(out).toMatch(/eth1\s+inet 10\.251\.78\.\d+\/24/);
    expect(out).toContain('reached');
    const nets = JSON.parse(
      await ok(['inspect', '-f', '{{json .NetworkSettings.Networks}}', 'both']),
    ) as Record<string, { IPAddress: string }>;
    expect(Object.keys(nets).sort()).toEqual(['n1', 'n2']);
    expect(nets.n2.IPAddress).toMatch(/^10\.251\.78\./);
    await ok(['rm', '-f', 'both']);
    // The docker CLI refuses `--network n1 --network host` itself; docker-py sends it.
    const r = await py(`
net = client.api.create_networking_config({'n1': client.api.create_endpoint_config(),
  'none': client.api.create_endpoint_config()})
try:
  client.api.create_container('busybox', host_config=client.api.create_host_config(network_mode='n1'),
    networking_config=net)
except docker.errors.APIError as e:
  print(e.status_code, e.explanation)
`);
    expect(r.stdout).toMatch(/^400 .*container cannot be connected to network endpoints: n1, none/);
  });

  it('network connect/disconnect with aliases and an address; Docker’s errors', async () => {
    await ok(['network', 'connect', '--alias', 'web', '--ip', '10.251.77.50', 'n1', 'peer']);
    expect(await ok(['exec', 'peer', 'ip', '-4', '-o', 'addr', 'show', 'eth1'])).toContain(
      'inet 10.251.77.50/24',
    );
    const n = await inspect('n1');
    const peerId = (await ok(['inspect', '-f', '{{.Id}}', 'peer'])).trim();
    expect((n.Containers as Record<string, unknown>)[peerId]).toMatchObject({
      Name: 'peer',
      IPv4Address: '10.251.77.50/24',
    });
    const reached = await ok(
      ['run', '--rm', '--network', 'n1', 'busybox'].concat([
        'sh',
        '-c',
        'ping -c 1 -W 5 web >/dev/null && echo reached',
      ]),
    );
    expect(reached).toBe('reached\n');
    const again = await docker(['network', 'connect', 'n1', 'peer']);
    expect(again.status).toBe(1);
    expect(again.stderr).toContain('is already connected to network n1');
    const ghost = await docker(['network', 'connect', 'n1', 'ghost']);
    expect(ghost.status).toBe(1);
    expect(ghost.stderr).toContain('No such container: ghost');
    const inUse = await docker(['network', 'rm', 'n1']);
    expect(inUse.status).toBe(1);
    expect(inUse.stderr).toContain('has active endpoints');

    await ok(['network', 'disconnect', 'n1', 'peer']);
    expect(await ok(['exec', 'peer', 'ip', '-4', '-o', 'addr'])).not.toContain('10.251.77.50');
    expect((await inspect('n1')).Containers).toEqual({});
    const notOn = await docker(['network', 'disconnect', '--force', 'n1', 'peer']);
    expect(notOn.status).toBe(1);
    expect(notOn.stderr).toContain('is not connected to network n1');
  });

  it('docker-py: client.networks and network.connect/disconnect', async () => {
    const r = await py(`
ipam = docker.types.IPAMConfig(pool_configs=[docker.types.IPAMPool(subnet='10.251.79.0/24')])
net = client.networks.create('pn', driver='bridge', ipam=ipam, labels={'k': 'v'})
c = client.containers.get('peer')
net.connect(c, aliases=['pyalias'], ipv4_address='10.251.79.7')
net.reload()
print(json.dumps({
  'names': [n.name for n in client.networks.list(names=['pn'])],
  'labels': net.attrs['Labels'],
  'subnet': net.attrs['IPAM']['Config'][0]['Subnet'],
  'members': [m.name for m in net.containers],
  'addr': c.exec_run(['ip', '-4', '-o', 'addr']).output.decode(),
}))
net.disconnect(c)
net.reload()
print(json.dumps({'members': [m.name for m in net.containers]}))
try:
  client.networks.create('bad', options={'com.docker.network.driver.mtu': '1400'})
except docker.errors.APIError as e:
  print(json.dumps({'status': e.status_code, 'explanation': e.explanation}))
print(json.dumps(client.networks.prune()))
`);
    expect(r.stderr).toBe('');
    const [first, second, refused, pruned] = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(first).toMatchObject({
      names: ['pn'],
      labels: { k: 'v' },
      subnet: '10.251.79.0/24',
      members: ['peer'],
    });
    expect(first.addr).toContain('inet 10.251.79.7/24');
    expect(second.members).toEqual([]);
    expect(refused).toEqual({
      status: 400,
      explanation: 'Options com.docker.network.driver.mtu is not supported by Flotilla',
    });
    expect(pruned.NetworksDeleted).toEqual(expect.arrayContaining(['pn', 'n1']));
  });
});

describe('create fields through the Engine API', () => {
  it('Dns, DnsSearch, DnsOptions, ExtraHosts, Sysctls and GroupAdd reach the container', async () => {
    const out = await ok(
      ['run', '--rm', '--dns', '1.2.3.4', '--dns-search', 'example.com'].concat([
        '--dns-option',
        'ndots:3',
        '--add-host',
        'db:10.0.0.5',
        '--add-host',
        'gw:host-gateway',
        '--sysctl',
        'net.ipv4.ip_forward=1',
        '--group-add',
        '1234',
        'busybox',
        'sh',
        '-c',
        'cat /etc/resolv.conf /etc/hosts; echo fwd=$(cat /proc/sys/net/ipv4/ip_forward); echo groups=$(id -G)',
      ]),
    );
    expect(out).toContain('nameserver 1.2.3.4');
    expect(out).toMatch(/^search example\.com$/m);
    expect(out).toMatch(/^options ndots:3$/m);
    expect(out).toMatch(/^10\.0\.0\.5\s+db$/m);
    expect(out).toMatch(/^10\.251\.76\.1\s+gw$/m);
    expect(out).toContain('fwd=1');
    expect(out).toMatch(/^groups=.*\b1234\b/m);
    // The docker CLI checks --sysctl itself; docker-py sends what it is given.
    const bad = await py(`
try:
  client.containers.create('busybox', sysctls={'kernel.hostname': 'x'})
except docker.errors.APIError as e:
  print(e.status_code, e.explanation)
`);
    expect(bad.stdout).toMatch(
      /^400 invalid HostConfig\.Sysctls "kernel\.hostname=x": not a namespaced sysctl/,
    );
  });

  it('docker-py: dns, extra_hosts, sysctls and group_add', async () => {
    const r = await py(`
out = client.containers.run('busybox', ['sh', '-c', 'cat /etc/resolv.conf /etc/hosts; id -G'],
  remove=True, dns=['9.9.9.9'], extra_hosts={'cache': '10.0.0.6'}, group_add=['4321'],
  sysctls={'net.ipv4.tcp_syncookies': '0'})
print(out.decode(), end='')
`);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('nameserver 9.9.9.9');
    expect(r.stdout).toMatch(/^10\.0\.0\.6\s+cache$/m);
    expect(r.stdout).toMatch(/\b4321\b/);
  });
});

describe('--ipc container:NAME', () => {
  it('joins a shareable donor’s IPC namespace and /dev/shm; refuses a private donor', async () => {
    await ok(
      ['run', '-d', '--name', 'donor', '--network', 'none', '--ipc', 'shareable'].concat([
        'busybox',
        'sh',
        '-c',
        'echo from-donor > /dev/shm/token; sleep 300',
      ]),
    );
    const donorNs = (await ok(['exec', 'donor', 'readlink', '/proc/self/ns/ipc'])).trim();
    const out = await ok(
      ['run', '--rm', '--network', 'none', '--ipc', 'container:donor', 'busybox'].concat([
        'sh',
        '-c',
        'readlink /proc/self/ns/ipc; cat /dev/shm/token; echo back > /dev/shm/reply',
      ]),
    );
    expect(out).toBe(`${donorNs}\nfrom-donor\n`);
    expect(await ok(['exec', 'donor', 'cat', '/dev/shm/reply'])).toBe('back\n');
    // Flotilla's own CLI takes the same mode.
    const own = await agent.cli(
      ['run', '--rm', '--network', 'none', '--ipc', 'container:donor', 'busybox'].concat([
        'cat',
        '/dev/shm/token',
      ]),
    );
    expect(own.stderr).toBe('');
    expect(own.stdout).toBe('from-donor\n');

    await ok(['run', '-d', '--name', 'private', '--network', 'none', 'busybox', 'sleep', '300']);
    // Docker refuses at start, as here (create + start: `docker run` would attach first).
    await ok(
      ['create', '--name', 'joiner', '--network', 'none', '--ipc', 'container:private'].concat([
        'busybox',
        'true',
      ]),
    );
    const r = await docker(['start', 'joiner']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(
      'container private: non-shareable IPC (hint: use IpcMode:shareable for the donor container)',
    );
  });
});
