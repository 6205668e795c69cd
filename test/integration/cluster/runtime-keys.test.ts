// The runtime keys of a stack file and the matching `service create/update` flags, end to end as a
// user runs them: a real manager (`flotilla manager --init`, embedded etcd) and a real agent joined
// to it (runc + conmon), `stack deploy` / `service create` through the CLI, and each key read back
// inside the running task's container: /etc/hosts, /etc/resolv.conf, /proc/sys, /proc/1/limits,
// capabilities, groups, the TTY, init as PID 1, the pids cgroup, the health probe schedule,
// nocopy volumes and bind propagation; and a task's own dns servers used by the overlay's DNS.
import { createSocket, type Socket } from 'node:dgram';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReply, parseQuestion } from '../../../agent/network/dns/packet.js';
import { bundleCli, cli, ManagerProcess, portPair } from '../manager/harness.js';
import { bundleCli as bundleAgentCli, TestAgent, waitFor } from '../runtime/harness.js';

const root = mkdtempSync(join(tmpdir(), 'flt-rtkeys-'));
const cfg = join(root, 'cfg');
const env: NodeJS.ProcessEnv = { ...process.env, FLOTILLA_CONFIG: cfg, FLOTILLA_LOG_LEVEL: 'warn' };
delete env.FLOTILLA_CONTEXT;
const flt = (...args: string[]) => cli(env, ...args);

let manager: ManagerProcess;
let agent: TestAgent;
const shared = join(root, 'shared');

const stackFile = `
services:
  app:
    image: busybox:latest
    command: ["sleep", "3600"]
    extra_hosts: ["db.internal:10.9.8.7", "gw:host-gateway"]
    sysctls: { net.core.somaxconn: 1234, kernel.shmmni: 2048 }
    ulimits: { nofile: { soft: 1111, hard: 2222 } }
    cap_add: [NET_ADMIN]
    cap_drop: [CHOWN]
    dns: [10.9.8.53]
    dns_search: [corp.example]
    dns_opt: ["ndots:3"]
    group_add: [extra, "4242"]
    tty: true
    stdin_open: true
    init: true
    stop_grace_period: 7s
    healthcheck:
      test: ["CMD-SHELL", "echo x >> /tmp/probes; [ $$(wc -l < /tmp/probes) -ge 3 ]"]
      interval: 1h
      start_period: 1h
      start_interval: 1s
    volumes:
      - type: volume
        source: empty
        target: /data
        volume: { nocopy: true }
      - type: bind
        source: ${shared}
        target: /srv
        bind: { propagation: rslave }
    deploy:
      resources: { limits: { pids: 42 } }
volumes:
  empty: {}
`;

beforeAll(async () => {
  await Promise.all([bundleCli(), bundleAgentCli()]);
  mkdirSync(shared);
  manager = new ManagerProcess(root, 'm', await portPair(), env);
  manager.start(['--init', '--cluster-name', 'rtkeys']);
  await manager.ready();
  const token = flt('cluster', 'join-token', 'worker', '-q').stdout.trim();
  agent = new TestAgent(
    ['--join', manager.grpcAddr, '--token', token, '--advertise-addr', '127.0.0.1'],
    '10.251.42.0/24',
  );
  await agent.start();
  await agent.loadBusybox();
  await waitFor('the agent’s node ready', () => flt('node', 'ls').stdout.includes('Ready'));
}, 240_000);

afterAll(async () => {
  const ids = agent?.ids() ?? [];
  await agent?.destroy();
  await manager?.stop();
  rmSync(root, { recursive: true, force: true });
  if (agent) expect(agent.leftovers(ids)).toEqual([]);
}, 120_000);

/** The id of the running container of `service`'s task (other than `not`), once there is one. */
async function containerOf(service: string, not?: string): Promise<string> {
  // Task containers are named <service id prefix>.<slot>.<task id>: found by their service label.
  const [svc] = JSON.parse(flt('service', 'inspect', service).stdout) as { id: string }[];
  const label = `label=com.flotilla.service.id=${svc.id}`;
  try {
    return await waitFor(
      `a running container of ${service}`,
      async () => {
        const r = await agent.cli(['ps', '-q', '--no-trunc', '--filter', label]);
        return r.stdout.split('\n').find((id) => id && id !== not);
      },
      { timeoutMs: 120_000, everyMs: 500 },
    );
  } catch (err) {
    const tasks = flt('service', 'ps', service);
    const containers = await agent.cli(['ps', '-a']);
    throw new Error(
      `${(err as Error).message}\n${tasks.stdout}${tasks.stderr}\n${containers.stdout}\n${manager.stderr.slice(-2000)}`,
      { cause: err },
    );
  }
}

async function inside(id: string, script: string): Promise<string> {
  const r = await agent.cli(['exec', id, 'sh', '-c', script]);
  expect(r.stderr).toBe('');
  return r.stdout;
}

/** The parts of `service inspect` these tests read. */
interface ServiceView {
  spec: {
    updateConfig: { maxFailureRatio: number };
    rollbackConfig: Record<string, unknown>;
    taskTemplate: {
      placement: { maxReplicasPerNode: number };
      containerSpec: { healthcheck: { startIntervalNs?: number } };
    };
  };
}

const capBit = (hex: string, bit: number) => ((BigInt(`0x${hex}`) >> BigInt(bit)) & 1n) === 1n;
const CAP_CHOWN = 0;
const CAP_NET_ADMIN = 12;

describe('a stack with runtime keys, on a real agent', () => {
  let id: string;

  beforeAll(async () => {
    const file = join(root, 'stack.yml');
    writeFileSync(file, stackFile);
    // A local image: no registry to pin it from (else Docker's warning on stderr).
    const r = flt('stack', 'deploy', '-d', '--resolve-image', 'never', '-c', file, 'rt');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    id = await containerOf('rt_app');
  }, 180_000);

  it('writes extra_hosts into /etc/hosts, host-gateway as the network’s gateway', async () => {
    const out = await inside(
      id,
      'cat /etc/hosts; echo "route $(ip route | awk \'/default/ {print $3}\')"',
    );
    expect(out).toContain('10.9.8.7\tdb.internal\n');
    const gateway = /route (\S+)/.exec(out)![1];
    expect(out).toContain(`${gateway}\tgw\n`);
  });

  it('keeps the network’s DNS and writes dns_search and dns_opt into /etc/resolv.conf', async () => {
    const out = await inside(id, 'cat /etc/resolv.conf');
    // A stack network answers service names itself and forwards the rest to `dns` (see the run
    // test of --dns on a user network).
    expect(out).not.toContain('10.9.8.53');
    expect(out).toMatch(/^search corp\.example$/m);
    expect(out).toMatch(/^options ndots:3$/m);
  });

  it('sets the sysctls, ulimits, capabilities and groups of the task’s process', async () => {
    expect(await inside(id, 'cat /proc/sys/net/core/somaxconn /proc/sys/kernel/shmmni')).toBe(
      '1234\n2048\n',
    );
    expect(await inside(id, 'cat /proc/1/limits')).toMatch(/^Max open files\s+1111\s+2222\s/m);
    const status = await inside(id, 'cat /proc/1/status');
    const capEff = /^CapEff:\s*(\S+)$/m.exec(status)![1];
    expect(capBit(capEff, CAP_NET_ADMIN)).toBe(true);
    expect(capBit(capEff, CAP_CHOWN)).toBe(false);
    expect(/^Groups:\s*(.*)$/m.exec(status)![1].trim().split(/\s+/).sort()).toEqual([
      '2000',
      '4242',
    ]);
    expect((await inside(id, 'id -G')).trim().split(' ').sort()).toEqual(['0', '2000', '4242']);
  });

  it('runs init as PID 1 on a TTY with stdin open, with the stop grace period and pids limit', async () => {
    expect(await inside(id, 'tr "\\0" " " < /proc/1/cmdline')).toMatch(/^\/sbin\/docker-init -- /);
    expect(await inside(id, 'readlink /proc/1/fd/0')).toMatch(/^\/dev\/pts\/\d+\n$/);
    const c = await agent.inspect(id);
    expect(c.Config.Tty).toBe(true);
    expect(c.Config.OpenStdin).toBe(true);
    expect(c.Config.StopTimeout).toBe(7);
    expect(readFileSync(`/sys/fs/cgroup/pids/flotilla/${id}/pids.max`, 'utf8').trim()).toBe('42');
  });

  it('leaves a nocopy volume empty and mounts the bind with its propagation', async () => {
    // The image has /data/seed.txt; without nocopy the volume would be seeded with it.
    expect(await inside(id, 'ls -A /data')).toBe('');
    const bundle = JSON.parse(
      readFileSync(join(agent.execRoot, 'b', id.slice(0, 16), 'config.json'), 'utf8'),
    ) as { mounts: { destination: string; options: string[] }[] };
    expect(bundle.mounts.find((m) => m.destination === '/srv')!.options).toContain('rslave');
  });

  it('probes every start_interval during the start period', async () => {
    const c = await waitFor(
      'the task healthy',
      async () => {
        const x = await agent.inspect(id);
        return x.State.Health?.Status === 'healthy' ? x : undefined;
      },
      { timeoutMs: 60_000, everyMs: 500 },
    );
    expect(c.Config.Healthcheck.StartInterval).toBe(1e9);
    const starts = (c.State.Health.Log as { Start: string }[]).map((l) => Date.parse(l.Start));
    expect(starts).toHaveLength(3);
    // 1s apart, not the 5s default start interval (nor the 1h interval).
    for (let i = 1; i < starts.length; i++) expect(starts[i] - starts[i - 1]).toBeLessThan(4000);
  });

  it('refuses generic_resources at deploy, naming the key, and creates nothing', () => {
    const file = join(root, 'gpu.yml');
    writeFileSync(
      file,
      'services:\n  gpu:\n    image: busybox\n    deploy: { resources: { reservations: { generic_resources: [{ discrete_resource_spec: { kind: gpu, value: 1 } }] } } }\n',
    );
    const r = flt('stack', 'deploy', '-d', '-c', file, 'gpu');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('services.gpu.deploy.resources.reservations.generic_resources');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(flt('service', 'ls').stdout).not.toContain('gpu_gpu');
  });
});

describe('service create and update runtime flags, on a real agent', () => {
  let id: string;

  beforeAll(async () => {
    const envFile = join(root, 'svc.env');
    writeFileSync(envFile, 'FROM_FILE=yes\n');
    const r = flt(
      'service',
      'create',
      '-d',
      '--name',
      'flags',
      '--host',
      'db.internal:10.9.8.7',
      '--sysctl',
      'net.core.somaxconn=1234',
      '--ulimit',
      'nofile=1111:2222',
      '--cap-add',
      'NET_ADMIN',
      '--cap-drop',
      'CHOWN',
      '--dns',
      '10.9.8.53',
      '--dns-search',
      'corp.example',
      '--dns-option',
      'ndots:3',
      '--group',
      '4242',
      '-t',
      '--env-file',
      envFile,
      '--limit-pids',
      '42',
      '--mount',
      'type=volume,source=seeded,target=/data',
      '--health-cmd',
      'true',
      '--health-start-interval',
      '1s',
      '--replicas-max-per-node',
      '3',
      '--update-max-failure-ratio',
      '0.25',
      '--rollback-parallelism',
      '2',
      '--rollback-delay',
      '1s',
      '--rollback-failure-action',
      'continue',
      '--rollback-monitor',
      '2s',
      '--rollback-order',
      'start-first',
      '--rollback-max-failure-ratio',
      '0.5',
      '--no-resolve-image',
      'busybox:latest',
      'sleep',
      '3600',
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    id = await containerOf('flags');
  }, 180_000);

  it('runs the task with every flag honoured', async () => {
    expect(await inside(id, 'cat /etc/hosts')).toContain('10.9.8.7\tdb.internal\n');
    // On the default bridge --dns replaces the host's servers.
    expect(await inside(id, 'cat /etc/resolv.conf')).toBe(
      'nameserver 10.9.8.53\nsearch corp.example\noptions ndots:3\n',
    );
    expect(await inside(id, 'cat /proc/sys/net/core/somaxconn')).toBe('1234\n');
    expect(await inside(id, 'cat /proc/1/limits')).toMatch(/^Max open files\s+1111\s+2222\s/m);
    const status = await inside(id, 'cat /proc/1/status');
    const capEff = /^CapEff:\s*(\S+)$/m.exec(status)![1];
    expect(capBit(capEff, CAP_NET_ADMIN)).toBe(true);
    expect(capBit(capEff, CAP_CHOWN)).toBe(false);
    expect(/^Groups:\s*(.*)$/m.exec(status)![1].trim()).toBe('4242');
    expect(await inside(id, 'readlink /proc/1/fd/0')).toMatch(/^\/dev\/pts\/\d+\n$/);
    expect(await inside(id, 'echo $FROM_FILE')).toBe('yes\n');
    expect(readFileSync(`/sys/fs/cgroup/pids/flotilla/${id}/pids.max`, 'utf8').trim()).toBe('42');
    // A volume without nocopy is seeded from the image.
    expect(await inside(id, 'ls -A /data')).toBe('seed.txt\n');
  });

  it('keeps the update, rollback, placement and health flags of create in the spec', () => {
    const [svc] = JSON.parse(flt('service', 'inspect', 'flags').stdout) as ServiceView[];
    expect(svc.spec.updateConfig.maxFailureRatio).toBe(0.25);
    expect(svc.spec.rollbackConfig).toEqual({
      parallelism: 2,
      delayNs: 1e9,
      failureAction: 'continue',
      monitorNs: 2e9,
      maxFailureRatio: 0.5,
      order: 'start-first',
    });
    expect(svc.spec.taskTemplate.placement.maxReplicasPerNode).toBe(3);
    expect(svc.spec.taskTemplate.containerSpec.healthcheck.startIntervalNs).toBe(1e9);
  });

  it('service update -add/-rm flags roll out a task with the change', async () => {
    const r = flt(
      'service',
      'update',
      '-d',
      '--host-add',
      'other.internal:10.9.8.8',
      '--host-rm',
      'db.internal',
      '--sysctl-rm',
      'net.core.somaxconn',
      '--sysctl-add',
      'net.ipv4.tcp_syncookies=0',
      '--ulimit-rm',
      'nofile',
      '--ulimit-add',
      'nproc=500:600',
      '--cap-drop',
      'NET_ADMIN',
      '--cap-add',
      'CHOWN',
      '--dns-rm',
      '10.9.8.53',
      '--dns-add',
      '10.9.8.54',
      '--dns-search-rm',
      'corp.example',
      '--dns-search-add',
      'other.example',
      '--dns-option-rm',
      'ndots:3',
      '--dns-option-add',
      'rotate',
      '--group-rm',
      '4242',
      '--group-add',
      '4343',
      '--limit-pids',
      '43',
      '--tty',
      '--health-start-interval',
      '2s',
      '--replicas-max-per-node',
      '2',
      'flags',
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const next = await containerOf('flags', id);
    const hosts = await inside(next, 'cat /etc/hosts');
    expect(hosts).not.toContain('db.internal');
    expect(hosts).toContain('10.9.8.8\tother.internal\n');
    expect(await inside(next, 'cat /proc/sys/net/core/somaxconn')).not.toBe('1234\n');
    expect(await inside(next, 'cat /proc/sys/net/ipv4/tcp_syncookies')).toBe('0\n');
    const limits = await inside(next, 'cat /proc/1/limits');
    expect(limits).toMatch(/^Max processes\s+500\s+600\s/m);
    expect(limits).not.toMatch(/^Max open files\s+1111\s/m);
    const status = await inside(next, 'cat /proc/1/status');
    const capEff = /^CapEff:\s*(\S+)$/m.exec(status)![1];
    expect(capBit(capEff, CAP_NET_ADMIN)).toBe(false);
    expect(capBit(capEff, CAP_CHOWN)).toBe(true);
    expect(/^Groups:\s*(.*)$/m.exec(status)![1].trim()).toBe('4343');
    expect(await inside(next, 'cat /etc/resolv.conf')).toBe(
      'nameserver 10.9.8.54\nsearch other.example\noptions rotate\n',
    );
    expect(readFileSync(`/sys/fs/cgroup/pids/flotilla/${next}/pids.max`, 'utf8').trim()).toBe('43');
    const [svc] = JSON.parse(flt('service', 'inspect', 'flags').stdout) as ServiceView[];
    expect(svc.spec.taskTemplate.containerSpec.healthcheck.startIntervalNs).toBe(2e9);
    expect(svc.spec.taskTemplate.placement.maxReplicasPerNode).toBe(2);
  });

  it('refuses a non-namespaced --sysctl with status 125, naming the flag, creating nothing', () => {
    const r = flt(
      'service',
      'create',
      '-d',
      '--name',
      'bad',
      '--sysctl',
      'vm.swappiness=1',
      'busybox',
    );
    expect(r.status).toBe(125);
    expect(r.stderr).toContain('invalid value "vm.swappiness=1" for flag --sysctl');
    expect(flt('service', 'ls').stdout).not.toMatch(/\bbad\b/);
  });
});

describe('a task’s own dns servers on an overlay network', () => {
  // Names the overlay's DNS does not own go to the task's `dns` / --dns servers, as Docker's
  // embedded DNS forwards to the container's --dns: a fake one on 127.0.0.78:53 (the agent's
  // namespace, where the overlay DNS runs) answers every name with 192.0.2.78.
  let upstream: Socket;
  const ids: Record<string, string> = {};
  const ask = (service: string) =>
    inside(ids[service], 'nslookup probe.flotilla.test 2>&1 || true');

  beforeAll(async () => {
    upstream = createSocket('udp4');
    await new Promise<void>((r) => upstream.bind(53, '127.0.0.78', () => r()));
    upstream.on('message', (m, rinfo) => {
      const q = parseQuestion(m);
      if (q) upstream.send(buildReply(m, q, ['192.0.2.78']), rinfo.port, rinfo.address);
    });
    const file = join(root, 'fwd.yml');
    writeFileSync(
      file,
      [
        'services:',
        '  own:',
        '    image: busybox:latest',
        '    command: ["sleep", "3600"]',
        '    dns: [127.0.0.78]',
        '  plain:',
        '    image: busybox:latest',
        '    command: ["sleep", "3600"]',
        '',
      ].join('\n'),
    );
    const d = flt('stack', 'deploy', '-d', '--resolve-image', 'never', '-c', file, 'fwd');
    expect(d.stderr).toBe('');
    expect(d.status).toBe(0);
    const s = flt(
      'service',
      'create',
      '-d',
      '--name',
      'fwdflag',
      '--no-resolve-image',
      '--network',
      'fwd_default',
      '--dns',
      '127.0.0.78',
      'busybox:latest',
      'sleep',
      '3600',
    );
    expect(s.stderr).toBe('');
    expect(s.status).toBe(0);
    for (const svc of ['fwd_own', 'fwd_plain', 'fwdflag']) ids[svc] = await containerOf(svc);
  }, 180_000);

  afterAll(() => {
    upstream?.close();
  });

  it('stack dns and service --dns on an overlay: its DNS forwards other names to them', async () => {
    for (const svc of ['fwd_own', 'fwdflag']) {
      // The overlay's resolver stays in resolv.conf: service names still resolve.
      expect(await inside(ids[svc], 'cat /etc/resolv.conf')).not.toContain('127.0.0.78');
      expect(await inside(ids[svc], 'nslookup plain 2>&1')).toMatch(/^Name:\s+plain/m);
      expect(await ask(svc), svc).toContain('192.0.2.78');
    }
    // A task without its own servers: the host's resolvers, never the other task's.
    expect(await ask('fwd_plain')).not.toContain('192.0.2.78');
  });
});
