// Every key of the service schema, driven through the loader and converter as a user writes it:
// a warned key prints its one warning line, a refused key refuses the stack naming the field, and
// an honoured key changes the service spec that `stack deploy` sends.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { Dict } from './compose-types.js';
import { loadStack } from './index.js';
import { loadStackConfig } from './load.js';
import { schemaKeys } from './key-table.js';

const dir = mkdtempSync(join(tmpdir(), 'stack-keys-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(join(dir, 'e.env'), 'FROM_FILE=1\n');
writeFileSync(join(dir, 's.txt'), 'secret\n');

const topLevel = {
  networks: { n: {} },
  volumes: { v: {} },
  secrets: { s: { file: './s.txt' } },
  configs: { c: { file: './s.txt' } },
};
let seq = 0;

function write(service: Dict, extra: Dict = {}): string {
  const name = `stack-${seq++}.yml`;
  const doc = { services: { app: { image: 'busybox:1', ...service } }, ...topLevel, ...extra };
  writeFileSync(join(dir, name), stringify(doc));
  return name;
}

const deploy = (service: Dict) => loadStack('t', [write(service)], { cwd: dir, env: {} });
const specOf = (service: Dict) => JSON.stringify(deploy(service).services[0]);
function refusalOf(service: Dict, extra: Dict = {}): string {
  try {
    loadStack('t', [write(service, extra)], { cwd: dir, env: {} });
  } catch (err) {
    return (err as Error).message;
  }
  return 'not refused';
}

const vol = (x: Dict) => ({ volumes: [{ type: 'volume', source: 'v', target: '/data', ...x }] });
const upd = (k: string, f: string, v: unknown) => ({ with: { deploy: { [k]: { [f]: v } } } });

/** A service fragment using the key, and the fragment it is compared with (default: none). */
const samples: Record<string, { with: Dict; without?: Dict }> = {
  'services.image': { with: { image: 'nginx:1' } },
  'services.command': { with: { command: 'echo hi' } },
  'services.entrypoint': { with: { entrypoint: ['/bin/sh', '-c'] } },
  'services.environment': { with: { environment: { A: '1' } } },
  'services.env_file': { with: { env_file: './e.env' } },
  'services.labels': { with: { labels: { a: 'b' } } },
  'services.working_dir': { with: { working_dir: '/srv' } },
  'services.user': { with: { user: 'nobody' } },
  'services.hostname': { with: { hostname: 'box' } },
  'services.read_only': { with: { read_only: true } },
  'services.stop_signal': { with: { stop_signal: 'SIGUSR1' } },
  'services.stop_grace_period': { with: { stop_grace_period: '42s' } },
  'services.init': { with: { init: true } },
  'services.tmpfs': { with: { tmpfs: ['/run'] } },
  'services.healthcheck': { with: { healthcheck: { test: ['CMD', 'true'] } } },
  'services.ports': { with: { ports: ['80'] } },
  'services.ports.target': {
    with: { ports: [{ target: 81 }] },
    without: { ports: [{ target: 80 }] },
  },
  'services.ports.published': {
    with: { ports: [{ target: 80, published: 8080 }] },
    without: { ports: [{ target: 80 }] },
  },
  'services.ports.protocol': {
    with: { ports: [{ target: 80, protocol: 'udp' }] },
    without: { ports: [{ target: 80 }] },
  },
  'services.ports.mode': {
    with: { ports: [{ target: 80, mode: 'host' }] },
    without: { ports: [{ target: 80 }] },
  },
  'services.volumes': { with: vol({}) },
  'services.volumes.type': {
    with: { volumes: [{ type: 'tmpfs', target: '/data' }] },
    without: { volumes: [{ type: 'volume', target: '/data' }] },
  },
  'services.volumes.source': {
    with: vol({}),
    without: { volumes: [{ type: 'volume', target: '/data' }] },
  },
  'services.volumes.target': { with: vol({ target: '/other' }), without: vol({}) },
  'services.volumes.read_only': { with: vol({ read_only: true }), without: vol({}) },
  'services.volumes.bind': {
    with: {
      volumes: [{ type: 'bind', source: '/tmp', target: '/x', bind: { propagation: 'rshared' } }],
    },
    without: { volumes: [{ type: 'bind', source: '/tmp', target: '/x' }] },
  },
  'services.volumes.volume': { with: vol({ volume: { nocopy: true } }), without: vol({}) },
  'services.volumes.tmpfs': {
    with: { volumes: [{ type: 'tmpfs', target: '/t', tmpfs: { size: 1000 } }] },
    without: { volumes: [{ type: 'tmpfs', target: '/t' }] },
  },
  'services.cap_add': { with: { cap_add: ['NET_ADMIN'] } },
  'services.cap_drop': { with: { cap_drop: ['CHOWN'] } },
  'services.dns': { with: { dns: '10.0.0.2' } },
  'services.dns_opt': { with: { dns_opt: ['ndots:2'] } },
  'services.dns_search': { with: { dns_search: 'example.org' } },
  'services.extra_hosts': { with: { extra_hosts: ['db:10.0.0.3'] } },
  'services.group_add': { with: { group_add: ['audio'] } },
  'services.sysctls': { with: { sysctls: { 'net.core.somaxconn': '1024' } } },
  'services.ulimits': { with: { ulimits: { nofile: { soft: 100, hard: 200 } } } },
  'services.tty': { with: { tty: true } },
  'services.stdin_open': { with: { stdin_open: true } },
  'services.logging': { with: { logging: { driver: 'local', options: { 'max-size': '1m' } } } },
  'services.secrets': { with: { secrets: ['s'] } },
  'services.configs': { with: { configs: ['c'] } },
  'services.networks': { with: { networks: ['n'] } },
  'services.networks.aliases': {
    with: { networks: { n: { aliases: ['db'] } } },
    without: { networks: { n: null } },
  },
  'services.deploy': { with: { deploy: { replicas: 3 } } },
  'services.deploy.mode': { with: { deploy: { mode: 'global' } } },
  'services.deploy.endpoint_mode': { with: { deploy: { endpoint_mode: 'dnsrr' } } },
  'services.deploy.placement.preferences': {
    with: { deploy: { placement: { preferences: [{ spread: 'node.labels.zone' }] } } },
  },
  'services.deploy.resources.limits.pids': {
    with: { deploy: { resources: { limits: { pids: 50 } } } },
  },
  'services.deploy.update_config': upd('update_config', 'parallelism', 3),
  'services.deploy.rollback_config': upd('rollback_config', 'parallelism', 3),
  'services.deploy.resources': { with: { deploy: { resources: { limits: { cpus: '0.5' } } } } },
  'services.deploy.resources.limits': {
    with: { deploy: { resources: { limits: { cpus: '0.5' } } } },
  },
  'services.deploy.resources.reservations': {
    with: { deploy: { resources: { reservations: { memory: '64M' } } } },
  },
  'services.deploy.restart_policy': upd('restart_policy', 'condition', 'none'),
  'services.deploy.placement': upd('placement', 'max_replicas_per_node', 2),
  'services.deploy.placement.preferences.spread': {
    with: { deploy: { placement: { preferences: [{ spread: 'node.labels.zone' }] } } },
  },
};

// Scalars for nested keys reached through mappings only (deploy.*, healthcheck.*, logging.*).
const scalar: Record<string, unknown> = {
  cpus: '0.5',
  memory: '64M',
  condition: 'on-failure',
  failure_action: 'rollback',
  order: 'start-first',
  max_failure_ratio: 0.5,
  constraints: ['node.role==worker'],
  test: ['CMD', 'true'],
  disable: true,
  options: { 'max-size': '1m' },
  driver: 'local',
  spread: 'node.labels.zone',
  labels: { a: 'b' },
  replicas: 3,
};
const durations = [
  'delay',
  'monitor',
  'window',
  'interval',
  'timeout',
  'start_period',
  'start_interval',
];

function sampleFor(key: string): { with: Dict; without: Dict } | undefined {
  const own = samples[key];
  if (own) return { with: own.with, without: own.without ?? {} };
  const parts = key.split('.').slice(1);
  const leaf = parts[parts.length - 1];
  let value: unknown = durations.includes(leaf) ? '7s' : (scalar[leaf] ?? 2);
  for (const p of [...parts].reverse().slice(0, -1)) value = { [p]: value };
  // A healthcheck option is compared with a healthcheck that has only a test.
  if (parts[0] === 'healthcheck' && leaf !== 'test') {
    const test = { test: ['CMD', 'true'] };
    return {
      with: { healthcheck: { ...test, ...(value as Dict) } },
      without: { healthcheck: test },
    };
  }
  return { with: { [parts[0]]: value }, without: {} };
}

/** Honoured on another branch (compose-runtime, secrets, overlay, logdrivers) and not yet
 *  visible in the service spec here. The lead empties this list as those branches merge. */
const notYetInSpec: string[] = [];

const serviceRows = schemaKeys().filter((r) => r.key.startsWith('services.'));
// Keys inside lists and named mappings are covered by their parent's sample.
const insideList =
  /^services\.(ports|volumes|secrets|configs|ulimits|networks|logging)\.|^services\.volumes\.(bind|volume|tmpfs)\./;

describe('every service key through the loader and converter', () => {
  const honoured = serviceRows.filter((r) => r.decision?.status === 'honoured');
  const direct = honoured.filter((r) => !insideList.test(r.key) || samples[r.key]);

  it.each(direct.map((r) => r.key))('%s changes the service spec (honoured)', (key) => {
    const s = sampleFor(key);
    expect(s, `a sample for ${key}`).toBeDefined();
    const changed = specOf(s!.with) !== specOf(s!.without);
    expect(changed).toBe(!notYetInSpec.includes(key));
    // Honoured keys are neither warned about nor refused.
    expect(deploy(s!.with).warnings.filter((w) => w.includes(key.slice(9)))).toEqual([]);
  });

  const warned = serviceRows.filter((r) => ['warned', 'deprecated'].includes(r.decision!.status));
  it.each(warned.map((r) => r.key))('%s is ignored with one warning naming it', (key) => {
    const name = key.slice('services.'.length);
    const fragment: Dict =
      name === 'volumes.consistency'
        ? vol({ consistency: 'cached' })
        : name === 'networks.driver_opts'
          ? { networks: { n: { driver_opts: { a: 'b' } } } }
          : { [name]: sampleValue(name) };
    const w = deploy(fragment).warnings.filter((l) => l.includes(`: ${name}`));
    expect(w).toHaveLength(1);
    expect(w[0]).toMatch(/^Ignoring (unsupported|deprecated) options: /);
  });

  const refused = serviceRows.filter((r) => r.decision!.status === 'refused');
  it.each(refused.map((r) => r.key))('%s refuses the stack naming the field', (key) => {
    const fragments: Record<string, Dict> = {
      'services.networks.ipv4_address': { networks: { n: { ipv4_address: '10.0.0.5' } } },
      'services.networks.ipv6_address': { networks: { n: { ipv6_address: 'fd00::5' } } },
      'services.deploy.resources.reservations.generic_resources': {
        deploy: {
          resources: {
            reservations: {
              generic_resources: [{ discrete_resource_spec: { kind: 'gpu', value: 1 } }],
            },
          },
        },
      },
    };
    const msg = refusalOf(fragments[key]);
    expect(msg).toMatch(/^stack-\d+\.yml:\d+:\d+: services\.app\./);
    expect(msg).toContain(key.split('.').pop());
    expect(msg).toContain('not supported');
  });

  it('refuses docker forbidden keys before anything else', () => {
    expect(refusalOf({ cpu_shares: 2 })).toMatch(
      /services\.app\.cpu_shares: forbidden property: set resource limits using deploy.resources/,
    );
  });

  it('names each ignored key once, however many services and files use it', () => {
    const a = write({ isolation: 'hyperv', privileged: true });
    const b = write({ isolation: 'default' });
    const w = loadStackConfig([a, b], { cwd: dir, env: {} }).warnings;
    expect(w).toEqual([
      'Ignoring unsupported options: isolation',
      'Ignoring unsupported options: privileged',
    ]);
  });

  it('warns about a volume driver other than local and refuses cluster volumes', () => {
    const w = deploy({}).warnings;
    expect(w).toEqual([]);
    const name = write({}, { volumes: { v: { driver: 'nfs', driver_opts: { a: 'b' } } } });
    expect(loadStack('t', [name], { cwd: dir, env: {} }).warnings).toEqual([
      'Ignoring unsupported options: volumes.v.driver "nfs" (only the local driver is supported; the volume is a local one)',
      'Ignoring unsupported options: volumes.v.driver_opts (local volumes take no options; the volume is a plain directory)',
    ]);
    expect(refusalOf({}, { volumes: { v: { 'x-cluster-spec': { group: 'g' } } } })).toMatch(
      /volumes\.v\.x-cluster-spec: not supported: cluster \(CSI\) volumes/,
    );
    expect(
      refusalOf({}, { secrets: { s: { file: './s.txt', template_driver: 'golang' } } }),
    ).toMatch(/secrets\.s\.template_driver: not supported/);
  });
});

function sampleValue(name: string): unknown {
  if (name === 'build' || name === 'credential_spec') return name === 'build' ? '.' : { file: 'x' };
  if (['privileged', 'init'].includes(name)) return true;
  if (name === 'oom_score_adj') return 100;
  if (name === 'shm_size') return '64m';
  if (
    ['cap_add', 'devices', 'external_links', 'links', 'security_opt', 'depends_on'].includes(name)
  )
    return ['x'];
  if (name === 'expose') return ['80'];
  return 'x';
}
