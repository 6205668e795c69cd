import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { agentConfig } from '../../../agent/index.js';
import { managerConfig } from '../../../manager/index.js';
import { agentFlags } from './agent-flags.js';
import { agentSettingsOf, managerSettingsOf, registerDaemonCommands } from './index.js';
import { managerFlags } from './manager-flags.js';

const dir = mkdtempSync(join(tmpdir(), 'flotilla-daemon-flags-'));
const noFile = join(dir, 'absent.json');
function file(name: string, doc: unknown): string {
  const f = join(dir, name);
  writeFileSync(f, JSON.stringify(doc));
  return f;
}
const tokenFile = join(dir, 'token');
writeFileSync(tokenFile, 'FLT-1-from-file\n', { mode: 0o600 });

// Settings from the environment would hide what the flags did.
let saved: NodeJS.ProcessEnv;
beforeEach(() => {
  saved = { ...process.env };
  for (const k of Object.keys(process.env)) if (k.startsWith('FLOTILLA_')) delete process.env[k];
});
afterEach(() => {
  process.env = saved;
});

/** Parses `flotilla <name> ...argv` with the real flag definitions; returns the command. */
function parsed(name: 'agent' | 'manager', argv: string[], rootArgv: string[] = []): Command {
  const program = new Command().option('-H, --host <host>').exitOverride();
  registerDaemonCommands(program, () => {
    throw new Error('not used');
  });
  let got: Command | undefined;
  program.commands
    .find((c) => c.name() === name)!
    .action((_o: unknown, c: Command) => {
      got = c;
    });
  program.parse(['node', 'flotilla', ...rootArgv, name, ...argv]);
  return got!;
}

function options(name: 'agent' | 'manager'): string[] {
  const program = new Command();
  registerDaemonCommands(program, () => {
    throw new Error('not used');
  });
  return program.commands.find((c) => c.name() === name)!.options.map((o) => o.long!);
}

type Sample<C> = { argv: string[]; value: (c: C) => unknown; expected: unknown };
type AgentConfig = ReturnType<typeof agentConfig>;
type ManagerConfig = ReturnType<typeof managerConfig>;

// One sample per flag: what to type, and where its value must show up in the resolved config.
const agentSamples: Record<string, Sample<AgentConfig>> = {
  '--data-root': { argv: ['--data-root', '/srv/a'], value: (c) => c.dataRoot, expected: '/srv/a' },
  '--exec-root': { argv: ['--exec-root', '/run/a'], value: (c) => c.execRoot, expected: '/run/a' },
  '--config-file': {
    argv: ['--config-file', file('agent.json', { hostname: 'from-file' })],
    value: (c) => c.hostname,
    expected: 'from-file',
  },
  '--insecure-registry': {
    argv: ['--insecure-registry', 'r1:5000', '--insecure-registry', 'r2:5000'],
    value: (c) => c.insecureRegistries,
    expected: ['r1:5000', 'r2:5000'],
  },
  '--join': { argv: ['--join', '10.0.0.1:4242'], value: (c) => c.join, expected: '10.0.0.1:4242' },
  '--token': { argv: ['--token', 'FLT-1-x'], value: (c) => c.token, expected: 'FLT-1-x' },
  '--token-file': {
    argv: ['--token-file', tokenFile],
    value: (c) => c.token,
    expected: 'FLT-1-from-file',
  },
  '--node-subnet': {
    argv: ['--node-subnet', '10.9.0.0/24'],
    value: (c) => c.nodeSubnet,
    expected: '10.9.0.0/24',
  },
  '--advertise-addr': {
    argv: ['--advertise-addr', '10.0.0.7'],
    value: (c) => c.advertiseAddr,
    expected: '10.0.0.7',
  },
  '--hostname': { argv: ['--hostname', 'n7'], value: (c) => c.hostname, expected: 'n7' },
  '--default-runtime': {
    argv: ['--default-runtime', 'crun'],
    value: (c) => c.defaultRuntime,
    expected: 'crun',
  },
  '--metrics-addr': {
    argv: ['--metrics-addr', '127.0.0.1:9324'],
    value: (c) => c.metricsAddr,
    expected: '127.0.0.1:9324',
  },
  '--log-driver': { argv: ['--log-driver', 'local'], value: (c) => c.logDriver, expected: 'local' },
  '--log-opt': {
    argv: ['--log-opt', 'max-size=1m', '--log-opt', 'max-file=2'],
    value: (c) => c.logOpts,
    expected: ['max-size=1m', 'max-file=2'],
  },
};

const managerSamples: Record<string, Sample<ManagerConfig>> = {
  '--insecure-registry': {
    argv: ['--insecure-registry', 'r1:5000', '--insecure-registry', 'r2:5000'],
    value: (c) => c.insecureRegistries,
    expected: ['r1:5000', 'r2:5000'],
  },
  '--metrics-addr': {
    argv: ['--metrics-addr', '127.0.0.1:9323'],
    value: (c) => c.metricsAddr,
    expected: '127.0.0.1:9323',
  },
  '--config-file': {
    argv: ['--config-file', file('manager.json', { clusterName: 'from-file' })],
    value: (c) => c.clusterName,
    expected: 'from-file',
  },
  '--data-root': { argv: ['--data-root', '/srv/m'], value: (c) => c.dataRoot, expected: '/srv/m' },
  '--exec-root': { argv: ['--exec-root', '/run/m'], value: (c) => c.execRoot, expected: '/run/m' },
  '--etcd': {
    argv: ['--etcd', 'http://a:2379,http://b:2379', '--etcd', 'http://c:2379'],
    value: (c) => c.etcd,
    expected: ['http://a:2379', 'http://b:2379', 'http://c:2379'],
  },
  '--etcd-cacert': { argv: ['--etcd-cacert', '/ca'], value: (c) => c.etcdCacert, expected: '/ca' },
  '--etcd-cert': { argv: ['--etcd-cert', '/cert'], value: (c) => c.etcdCert, expected: '/cert' },
  '--etcd-key': { argv: ['--etcd-key', '/key'], value: (c) => c.etcdKey, expected: '/key' },
  '--listen-api': {
    argv: ['--listen-api', '127.0.0.1:5243'],
    value: (c) => c.listenApi,
    expected: '127.0.0.1:5243',
  },
  '--listen-grpc': {
    argv: ['--listen-grpc', '127.0.0.1:5242'],
    value: (c) => [c.listenGrpc, c.grpcAddr],
    expected: ['127.0.0.1:5242', '127.0.0.1:5242'],
  },
  '--advertise-addr': {
    argv: ['--advertise-addr', '10.0.0.8'],
    value: (c) => c.advertiseAddr,
    expected: '10.0.0.8',
  },
  '--init': { argv: ['--init'], value: (c) => c.init, expected: true },
  '--force-new-cluster': {
    argv: ['--force-new-cluster'],
    value: (c) => c.forceNewCluster,
    expected: true,
  },
  '--cluster-name': {
    argv: ['--cluster-name', 'prod'],
    value: (c) => c.clusterName,
    expected: 'prod',
  },
  '--default-addr-pool': {
    argv: ['--init', '--default-addr-pool', '10.50.0.0/16', '--default-addr-pool', '10.60.0.0/16'],
    value: (c) => c.addressPool?.cidrs,
    expected: ['10.50.0.0/16', '10.60.0.0/16'],
  },
  '--default-addr-pool-mask-length': {
    argv: ['--init', '--default-addr-pool-mask-length', '26'],
    value: (c) => c.addressPool?.subnetPrefixLength,
    expected: 26,
  },
  '--join': { argv: ['--join', '10.0.0.1:4242'], value: (c) => c.join, expected: '10.0.0.1:4242' },
  '--token': { argv: ['--token', 'FLT-1-y'], value: (c) => c.token, expected: 'FLT-1-y' },
  '--token-file': {
    argv: ['--token-file', tokenFile],
    value: (c) => c.token,
    expected: 'FLT-1-from-file',
  },
  '--no-socket': { argv: ['--no-socket'], value: (c) => c.socket, expected: false },
};

describe('flotilla agent flags', () => {
  it('are exactly the table, and each has a sample here', () => {
    expect(options('agent')).toEqual(agentFlags.map((b) => b.flag.split(' ')[0]));
    expect(Object.keys(agentSamples).sort()).toEqual(options('agent').sort());
  });

  for (const [flag, s] of Object.entries(agentSamples))
    it(`${flag} reaches its setting`, () => {
      const settings = agentSettingsOf(parsed('agent', s.argv));
      const config = agentConfig({ configFile: noFile, ...settings });
      expect(s.value(config)).toEqual(s.expected);
    });

  it('passes the CLI -H on as the agent socket', () => {
    expect(agentSettingsOf(parsed('agent', [])).host).toBeUndefined();
    expect(agentSettingsOf(parsed('agent', [], ['-H', 'unix:///tmp/a.sock'])).host).toBe(
      'unix:///tmp/a.sock',
    );
  });

  it('refuses an unknown key in the config file, naming it', () => {
    const f = file('agent-bad.json', { insecureRegistry: ['r:5000'] });
    expect(() => agentConfig({ configFile: f })).toThrow(/unknown key "insecureRegistry"/);
  });
});

describe('flotilla manager flags', () => {
  it('are exactly the table, and each has a sample here', () => {
    expect(options('manager')).toEqual(managerFlags.map((b) => b.flag.split(' ')[0]));
    expect(Object.keys(managerSamples).sort()).toEqual(options('manager').sort());
  });

  for (const [flag, s] of Object.entries(managerSamples))
    it(`${flag} reaches its setting`, () => {
      const settings = managerSettingsOf(parsed('manager', s.argv));
      const config = managerConfig({ configFile: noFile, ...settings });
      expect(s.value(config)).toEqual(s.expected);
    });

  it('refuses a mask length that is not a whole number, naming the flag', () => {
    expect(() =>
      managerSettingsOf(parsed('manager', ['--default-addr-pool-mask-length', '24x'])),
    ).toThrow('invalid value "24x" for flag --default-addr-pool-mask-length: not a whole number');
  });

  // commander gives --no-socket a default of true; taken as a flag, it hid the file and environment.
  it('leaves a setting the command line does not give to the file and the environment', () => {
    const f = file('manager-socket.json', { socket: false, dataRoot: '/file' });
    expect(
      managerConfig({ configFile: f, ...managerSettingsOf(parsed('manager', [])) }).socket,
    ).toBe(false);
    process.env.FLOTILLA_SOCKET = 'false';
    expect(
      managerConfig({ configFile: noFile, ...managerSettingsOf(parsed('manager', [])) }).socket,
    ).toBe(false);
  });

  it('lets flags override the config file', () => {
    const f = file('manager-root.json', { dataRoot: '/file', clusterName: 'c' });
    const c = managerConfig({
      ...managerSettingsOf(parsed('manager', ['--config-file', f, '--data-root', '/flag'])),
    });
    expect([c.dataRoot, c.clusterName]).toEqual(['/flag', 'c']);
  });

  it('refuses unknown keys, values of the wrong type and a one-time --init, naming the key', () => {
    const cases: [unknown, RegExp][] = [
      [{ listen_api: '0.0.0.0:1' }, /unknown key "listen_api"/],
      [{ etcd: 'http://a:2379' }, /"etcd" must be a list of strings/],
      [{ socket: 'no' }, /"socket" must be a boolean/],
      [{ init: true }, /"init" is a one-time action/],
    ];
    for (const [doc, re] of cases) {
      const f = file('manager-bad.json', doc);
      expect(() => managerConfig({ configFile: f })).toThrow(re);
    }
  });
});
