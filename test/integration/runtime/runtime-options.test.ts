// `run` flags that shape the container's runtime, through the CLI against a real agent, each read
// back inside the container: --add-host (host-gateway too) in /etc/hosts, --dns/--dns-search/
// --dns-option in /etc/resolv.conf (and, on a user network, --dns as the upstream of the network's
// DNS), --sysctl under /proc/sys, --group-add in the process's groups (exec too), --ulimit.
import { createSocket, type Socket } from 'node:dgram';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildReply, parseQuestion } from '../../../agent/network/dns/packet.js';
import { TestAgent, useTestAgent } from './harness.js';

const agent = new TestAgent([], '10.251.41.0/24');
const run = (args: string[], input?: string) => agent.cli(args, input);

useTestAgent(agent);
afterEach(() => agent.removeAll());

/** `run --rm FLAGS busybox sh -c SCRIPT`; `verb` keeps the command word in each test's body. */
const sh = (verb: 'run', flags: string[], script: string) =>
  run([verb, '--rm', ...flags, 'busybox', 'sh', '-c', script]);

describe('run runtime options', () => {
  it('--add-host writes /etc/hosts entries, host-gateway as the container’s gateway', async () => {
    const r = await sh(
      'run',
      ['--add-host', 'db.internal:10.9.8.7', '--add-host', 'gw:host-gateway'],
      'cat /etc/hosts; echo "route $(ip route | awk \'/default/ {print $3}\')"',
    );
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('10.9.8.7\tdb.internal\n');
    const gateway = /route (\S+)/.exec(r.stdout)![1];
    expect(gateway).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(r.stdout).toContain(`${gateway}\tgw\n`);
  });

  it('--dns, --dns-search and --dns-option write /etc/resolv.conf', async () => {
    const r = await sh(
      'run',
      ['--dns', '10.9.8.53', '--dns-search', 'corp.example', '--dns-option', 'ndots:3'],
      'cat /etc/resolv.conf',
    );
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('nameserver 10.9.8.53\nsearch corp.example\noptions ndots:3\n');
  });

  it('--sysctl sets namespaced kernel parameters inside the container only', async () => {
    const r = await sh(
      'run',
      ['--sysctl', 'net.core.somaxconn=1234', '--sysctl', 'kernel.shmmni=2048'],
      'cat /proc/sys/net/core/somaxconn /proc/sys/kernel/shmmni',
    );
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('1234\n2048\n');
  });

  it('--group-add adds supplementary groups by name and number, for the process and its execs', async () => {
    const id = (
      await run([
        'run',
        '-d',
        '--network',
        'none',
        '-u',
        'app',
        '--group-add',
        'root',
        '--group-add',
        '4242',
        'busybox',
        'sleep',
        '600',
      ])
    ).stdout.trim();
    const status = await run(['exec', id, 'cat', '/proc/1/status']);
    const groups = /^Groups:\s*(.*)$/m.exec(status.stdout)![1].trim().split(/\s+/).sort();
    // app's own supplementary group (extra, 2000) stays.
    expect(groups).toEqual(['0', '2000', '4242']);
    const ids = await run(['exec', id, 'id', '-G']);
    expect(ids.stdout.trim().split(' ').sort()).toEqual(['0', '1000', '2000', '4242']);
  });

  it('--ulimit sets the limits of the container’s processes', async () => {
    const r = await sh('run', ['--ulimit', 'nofile=1111:2222'], 'ulimit -n; ulimit -Hn');
    expect(r.stdout).toBe('1111\n2222\n');
  });

  it.each([
    [['--sysctl', 'kernel.hostname=x'], '--sysctl', 'not a namespaced sysctl'],
    [['--sysctl', 'net.core.somaxconn=1', '--network', 'host'], '--sysctl', 'own network'],
    [['--add-host', 'db:not-an-ip'], '--add-host', 'not an IP address'],
    [['--add-host', 'gw:host-gateway', '--network', 'none'], '--add-host', 'needs a network'],
    [['--dns', 'resolver.example'], '--dns', 'not an IP address'],
    [['--dns-option', 'two words'], '--dns-option', 'resolv.conf option'],
    [['--group-add', 'nosuchgroup'], 'group', 'unable to find group nosuchgroup'],
  ])(
    'refuses %j with a message naming it, creating nothing that runs',
    async (flags, name, why) => {
      const before = agent.ids();
      const r = await sh('run', flags, 'true');
      expect(r.status).toBe(125);
      expect(r.stderr).toContain(name);
      expect(r.stderr).toContain(why);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      // A refusal at start (a group not in the image, host-gateway without a network) leaves a
      // created container behind, as Docker's run does; it never ran.
      for (const id of agent.ids().filter((x) => !before.includes(x)))
        expect((await agent.inspect(id)).State.Running).toBe(false);
    },
  );
});

describe('--dns on a user network', () => {
  let upstream: Socket;
  // The network's DNS forwards to the container's own servers: a fake one on 127.0.0.77:53
  // answers every name with 192.0.2.77.
  beforeAll(async () => {
    upstream = createSocket('udp4');
    await new Promise<void>((r) => upstream.bind(53, '127.0.0.77', () => r()));
    upstream.on('message', (m, rinfo) => {
      const q = parseQuestion(m);
      if (q) upstream.send(buildReply(m, q, ['192.0.2.77']), rinfo.port, rinfo.address);
    });
    expect((await run(['network', 'create', 'rtnet'])).status).toBe(0);
  });
  afterAll(async () => {
    upstream?.close();
    await run(['network', 'rm', 'rtnet']);
  });

  it('keeps the network’s DNS in resolv.conf and forwards other names to the --dns servers', async () => {
    const r = await sh(
      'run',
      ['--network', 'rtnet', '--dns', '127.0.0.77', '--dns-search', 'corp.example'],
      'cat /etc/resolv.conf; nslookup probe.example',
    );
    const gateway = /^nameserver (\S+)$/m.exec(r.stdout)?.[1];
    expect(gateway).not.toBe('127.0.0.77');
    expect(r.stdout).toMatch(/^search corp\.example$/m);
    expect(r.stdout).toContain('192.0.2.77');
    // Without --dns the same name goes to the host's resolvers, not to the fake server.
    const other = await sh('run', ['--network', 'rtnet'], 'nslookup probe.example');
    expect(other.stdout).not.toContain('192.0.2.77');
  });
});
