// Docker's container, volume and system verbs typed into the docker CLI on the agent's socket and
// called through docker-py, asserting what a user sees: attach, wait, restart, kill, stats, top,
// export, update, create/start -a, rename, port, inspect -s, logs --details by driver, volumes,
// system df/prune and events.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { startJournald } from '../../harness/journald.js';
import { TestAgent, useTestAgent, waitFor, type CliResult } from '../runtime/harness.js';
import { dockerCli, dockerPy } from './docker-client.js';

const tmp = mkdtempSync('/tmp/flt-it-ctr-');
const journal = join(tmp, 'journal.sock');
process.env.FLOTILLA_JOURNAL_SOCKET = journal;
const agent = new TestAgent();
useTestAgent(agent);
beforeEach(() => agent.removeAll());
let cli: ReturnType<typeof dockerCli> | undefined;
const docker = (args: string[], input?: string) => (cli ??= dockerCli(agent))(args, input);
const py = (script: string) => dockerPy(agent)(script);
const none = ['--network', 'none'];
const ok = async (r: Promise<CliResult>): Promise<CliResult> => {
  const res = await r;
  expect(res.status, `${res.stderr}${res.stdout}`).toBe(0);
  return res;
};
const state = async (c: string) =>
  (await docker(['inspect', '-f', '{{.State.Status}}', c])).stdout.trim();

describe('containers through the docker CLI and docker-py', () => {
  it('attach to a running container: stdin, output and exit status; and logs=1 refused by name', async () => {
    await ok(docker(['run', '-d', '-i', '--name', 'att', ...none, 'busybox', 'sh', '-c', 'read l; echo got $l; exit 3'])); // prettier-ignore
    const a = await docker(['attach', 'att'], 'hello\n');
    expect(a.stdout).toBe('got hello\n');
    expect(a.status).toBe(3);
    // Replaying the log on attach (docker-py's logs=True) is refused by name, not ignored.
    await ok(docker(['run', '-d', '-t', '--name', 'tty', ...none, 'busybox', 'sh', '-c', 'echo on-tty; sleep 300'])); // prettier-ignore
    const t = await py(`
try:
    client.api.attach('tty', stream=False, logs=True)
except docker.errors.APIError as e:
    print(e.status_code, e.explanation)
`);
    expect(t.stdout).toMatch(/^400 .*logs=1 is not supported/);
  });

  it('wait prints the exit status; docker-py gets Docker’s status JSON, with condition=', async () => {
    await ok(docker(['run', '-d', '--name', 'wt', ...none, 'busybox', 'sh', '-c', 'exit 7']));
    expect((await docker(['wait', 'wt'])).stdout).toBe('7\n');
    const r = await py(`
print(json.dumps(client.api.wait('wt')))
c = client.containers.create('busybox', ['sh', '-c', 'exit 5'], name='wt2', network_mode='none')
import threading
out = {}
t = threading.Thread(target=lambda: out.update(client.api.wait('wt2', condition='next-exit')))
t.start()
c.start()
t.join()
print(json.dumps(out))
`);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('{"StatusCode": 7}\n{"StatusCode": 5}\n');
    const missing = await docker(['wait', 'nothere']);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/No such container: nothere/);
  });

  it('restart -t, kill -s, create + start -a, rename and port', async () => {
    await ok(docker(['run', '-d', '--name', 'rs', ...none, 'busybox', 'sleep', '300']));
    const pid1 = (await docker(['inspect', '-f', '{{.State.Pid}}', 'rs'])).stdout;
    expect((await docker(['restart', '-t', '1', 'rs'])).stdout).toBe('rs\n');
    expect(await state('rs')).toBe('running');
    expect((await docker(['inspect', '-f', '{{.State.Pid}}', 'rs'])).stdout).not.toBe(pid1);
    // A trap shows the signal arrived by name.
    await ok(docker(['run', '-d', '--name', 'kl', ...none, 'busybox', 'sh', '-c', "trap 'echo got-usr1; exit 4' USR1; while true; do sleep 0.1; done"])); // prettier-ignore
    expect((await docker(['kill', '-s', 'USR1', 'kl'])).stdout).toBe('kl\n');
    expect((await docker(['wait', 'kl'])).stdout).toBe('4\n');
    expect((await docker(['logs', 'kl'])).stdout).toBe('got-usr1\n');
    const bad = await docker(['kill', '-s', 'NOPE', 'rs']);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/NOPE/);
    await ok(docker(['create', '--name', 'cr', ...none, 'busybox', 'sh', '-c', 'echo created-then-started; exit 2'])); // prettier-ignore
    expect(await state('cr')).toBe('created');
    const sa = await docker(['start', '-a', 'cr']);
    expect(sa.stdout).toBe('created-then-started\n');
    expect(sa.status).toBe(2);
    await ok(docker(['rename', 'cr', 'cr2']));
    expect((await docker(['ps', '-a', '--filter', 'name=cr', '--format', '{{.Names}}'])).stdout).toBe('cr2\n'); // prettier-ignore
    await ok(docker(['run', '-d', '--name', 'pt', '-p', '127.0.0.1::80', '-p', '8123:81/udp', 'busybox', 'sleep', '300'])); // prettier-ignore
    const port = (await ok(docker(['port', 'pt']))).stdout.split('\n').filter(Boolean).sort();
    expect(port).toHaveLength(2);
    expect(port[0]).toMatch(/^80\/tcp -> 127\.0\.0\.1:\d+$/);
    expect(port[1]).toBe('81/udp -> 0.0.0.0:8123');
    expect((await docker(['port', 'pt', '81/udp'])).stdout).toMatch(/^0\.0\.0\.0:8123\n/);
  });

  it('stats --no-stream and docker-py stats(stream=False); top with ps options', async () => {
    await ok(docker(['run', '-d', '--name', 'st', ...none, '--memory', '64m', 'busybox', 'sleep', '300'])); // prettier-ignore
    const st = await ok(docker(['stats', '--no-stream', '--format', '{{.Name}} {{.MemUsage}} {{.PIDs}}', 'st'])); // prettier-ignore
    expect(st.stdout).toMatch(/^st [\d.]+[KMG]?i?B \/ 64MiB 1\n$/);
    const p = await py(`
s = client.containers.get('st').stats(stream=False)
print(s['name'], s['memory_stats']['limit'], s['pids_stats']['current'], 'system_cpu_usage' in s['precpu_stats'])
`);
    expect(p.stderr).toBe('');
    expect(p.stdout).toBe(`/st ${64 * 1024 * 1024} 1 True\n`);
    const top = await ok(docker(['top', 'st', '-o', 'pid,comm']));
    const lines = top.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^PID\s+COMMAND$/);
    expect(lines.slice(1).map((l) => l.trim().split(/\s+/)[1])).toEqual(['sleep']);
    const def = await ok(docker(['top', 'st']));
    expect(def.stdout.split('\n')[0]).toMatch(/^UID\s+PID\s+PPID\s+C\s+STIME\s+TTY\s+TIME\s+CMD$/);
    expect(def.stdout).toMatch(/sleep 300\n$/);
    const pyTop = await py(`print(json.dumps(client.containers.get('st').top(ps_args='-o pid,args')['Titles']))`); // prettier-ignore
    expect(pyTop.stdout).toBe('["PID", "COMMAND"]\n');
  });

  it('export -o writes a tar of the container’s files; docker-py update changes the limits', async () => {
    await ok(docker(['run', '--name', 'ex', ...none, 'busybox', 'sh', '-c', 'echo exported > /tmp/out.txt'])); // prettier-ignore
    const dir = mkdtempSync('/tmp/flt-export-');
    await ok(docker(['export', '-o', join(dir, 'f.tar'), 'ex']));
    expect(execFileSync('tar', ['-xOf', join(dir, 'f.tar'), 'tmp/out.txt']).toString()).toBe('exported\n'); // prettier-ignore
    expect(execFileSync('tar', ['-tf', join(dir, 'f.tar')]).toString()).toMatch(/^bin\/busybox$/m);
    rmSync(dir, { recursive: true, force: true });
    await ok(docker(['run', '-d', '--name', 'up', ...none, 'busybox', 'sleep', '300']));
    const u = await py(`
c = client.containers.get('up')
print(json.dumps(c.update(mem_limit='96m', memswap_limit='192m', restart_policy={'Name': 'on-failure', 'MaximumRetryCount': 2})))
c.reload()
h = c.attrs['HostConfig']
print(h['Memory'], h['MemorySwap'], h['RestartPolicy']['Name'], h['RestartPolicy']['MaximumRetryCount'])
try:
    c.update(blkio_weight=300)
except docker.errors.APIError as e:
    print(e.status_code, 'BlkioWeight' in str(e))
`);
    expect(u.stderr).toBe('');
    expect(u.stdout).toBe(
      `{"Warnings": []}\n${96 * 1024 * 1024} ${192 * 1024 * 1024} on-failure 2\n400 True\n`,
    );
    const limit = await ok(docker(['exec', 'up', 'cat', '/sys/fs/cgroup/memory/memory.limit_in_bytes'])); // prettier-ignore
    expect(limit.stdout).toBe(`${96 * 1024 * 1024}\n`);
  });

  it('inspect -s and container inspect --size show SizeRw and SizeRootFs, as flotilla inspect -s', async () => {
    await ok(docker(['run', '--name', 'sz', ...none, 'busybox', 'sh', '-c', 'head -c 50000 /dev/zero > /big'])); // prettier-ignore
    const f = '{{.SizeRw}} {{.SizeRootFs}}';
    const [rw, root] = (await ok(docker(['inspect', '-s', '-f', f, 'sz']))).stdout.trim().split(' ').map(Number); // prettier-ignore
    expect(rw).toBeGreaterThanOrEqual(50000);
    expect(rw).toBeLessThan(60000);
    const image = Number((await ok(docker(['image', 'inspect', '-f', '{{.Size}}', 'busybox']))).stdout); // prettier-ignore
    expect(root).toBe(rw + image);
    expect((await ok(docker(['container', 'inspect', '--size', '-f', f, 'sz']))).stdout).toBe(`${rw} ${root}\n`); // prettier-ignore
    expect((await ok(agent.cli(['inspect', '-s', '-f', f, 'sz']))).stdout).toBe(`${rw} ${root}\n`);
    // docker-py 7.1's inspect_container has no size argument: its own transport, with ?size=1.
    const p = await py(`a = client.api._result(client.api._get(client.api._url('/containers/{0}/json', 'sz'), params={'size': 1}), True); print(a['SizeRw'], a['SizeRootFs'])`); // prettier-ignore
    expect(p.stdout).toBe(`${rw} ${root}\n`);
  });

  it('logs --details: local records no attributes (as Docker); journald returns its extra fields', async () => {
    await ok(docker(['run', '--name', 'loc', ...none, '--log-driver', 'local', 'busybox', 'echo', 'x'])); // prettier-ignore
    expect((await ok(docker(['logs', '--details', 'loc']))).stdout).toBe(' x\n');
    const refused = await docker(['run', '--name', 'loc2', ...none, '--log-driver', 'local', '--log-opt', 'labels=a', 'busybox', 'true']); // prettier-ignore
    expect(refused.status).toBe(125);
    expect(refused.stderr).toMatch(/labels/);
    const journald = await startJournald();
    symlinkSync(journald.socket, journal);
    try {
      await ok(docker(['run', '--name', 'jd', ...none, '--log-driver', 'journald', '--label', 'tier.name=web', '--env', 'REGION=eu west', '--log-opt', 'labels=tier.name', '--log-opt', 'env=REGION', 'busybox', 'sh', '-c', 'echo one; echo two'])); // prettier-ignore
      // Docker's journald driver names the fields as journal fields (upper case, _ for others).
      expect((await ok(docker(['logs', '--details', 'jd']))).stdout).toBe(
        'REGION=eu+west,TIER_NAME=web one\nREGION=eu+west,TIER_NAME=web two\n',
      );
      const id = (await agent.inspect('jd')).Id as string;
      const entries = await waitFor('two journal entries', async () => {
        const e = (await journald.entries()).filter((x) => x.CONTAINER_ID_FULL === id);
        return e.length >= 2 ? e : undefined;
      });
      expect(entries[0]).toMatchObject({ MESSAGE: 'one', TIER_NAME: 'web', REGION: 'eu west' });
      await ok(docker(['run', '--name', 'jd2', ...none, '--log-driver', 'journald', 'busybox', 'echo', 'y'])); // prettier-ignore
      expect((await ok(docker(['logs', '--details', 'jd2']))).stdout).toBe(' y\n');
    } finally {
      rmSync(journal, { force: true });
      await journald.stop();
    }
  });
});

describe('volumes through the docker CLI and docker-py', () => {
  it('create with labels, ls --filter, inspect, rm, prune', async () => {
    await ok(docker(['volume', 'create', '--label', 'team=a', 'va']));
    await ok(docker(['volume', 'create', '--label', 'team=b', 'vb']));
    await ok(docker(['volume', 'create', 'vc']));
    await ok(docker(['run', '--name', 'user', ...none, '-v', 'vb:/d', 'busybox', 'true']));
    const ls = async (...f: string[]) =>
      (await ok(docker(['volume', 'ls', '-q', ...f.flatMap((x) => ['--filter', x])]))).stdout;
    expect(await ls()).toBe('va\nvb\nvc\n');
    expect(await ls('label=team')).toBe('va\nvb\n');
    expect(await ls('label=team=b')).toBe('vb\n');
    expect(await ls('name=v[ab]')).toBe('va\nvb\n');
    expect(await ls('dangling=true')).toBe('va\nvc\n');
    expect(await ls('dangling=false')).toBe('vb\n');
    expect(await ls('driver=local', 'label=team=a')).toBe('va\n');
    const bad = await docker(['volume', 'ls', '--filter', 'colour=red']);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/invalid filter 'colour'/);
    expect((await ok(docker(['volume', 'inspect', '-f', '{{.Name}} {{.Driver}} {{.Labels.team}}', 'va']))).stdout).toBe('va local a\n'); // prettier-ignore
    const inUse = await docker(['volume', 'rm', 'vb']);
    expect(inUse.status).toBe(1);
    expect(inUse.stderr).toMatch(/in use/);
    expect((await ok(docker(['volume', 'rm', 'vc']))).stdout).toBe('vc\n');
    const prune = await ok(docker(['volume', 'prune', '-a', '-f', '--filter', 'label=team']));
    expect(prune.stdout).toMatch(/^Deleted Volumes:\nva\n/);
    expect(await ls()).toBe('vb\n');
  });

  it('docker-py client.volumes: create, list with filters, get, remove, prune', async () => {
    const r = await py(`
v = client.volumes.create('pyv', labels={'kl': 'v'})
client.volumes.create('pyw')
print(v.name, v.attrs['Labels'])
print(sorted(x.name for x in client.volumes.list(filters={'label': 'kl=v'})))
print(client.volumes.get('pyv').attrs['Mountpoint'].endswith('/pyv/_data'))
client.volumes.get('pyw').remove()
try:
    client.volumes.get('pyw')
except docker.errors.NotFound:
    print('gone')
print(client.volumes.prune(filters={'all': ['true']})['VolumesDeleted'])
print(client.volumes.list())
`);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe("pyv {'kl': 'v'}\n['pyv']\nTrue\ngone\n['pyv']\n[]\n");
  });
});

describe('system df, system prune and events through the docker CLI and docker-py', () => {
  it('system df (-v) counts what exists; system prune -f (--volumes, -a) removes what is unused', async () => {
    await ok(docker(['run', '--name', 'done', ...none, '-v', '/anon', 'busybox', 'true']));
    await ok(docker(['run', '-d', '--name', 'live', ...none, 'busybox', 'sleep', '300']));
    await ok(docker(['volume', 'create', 'named']));
    const df = await ok(docker(['system', 'df', '--format', '{{.Type}} {{.TotalCount}} {{.Active}}'])); // prettier-ignore
    expect(df.stdout).toBe('Images 1 1\nContainers 2 1\nLocal Volumes 2 1\nBuild Cache 0 0\n');
    const v = await ok(docker(['system', 'df', '-v']));
    expect(v.stdout).toMatch(/^Images space usage:\n/);
    expect(v.stdout).toMatch(/\nContainers space usage:\n\nCONTAINER ID +IMAGE +COMMAND +LOCAL VOLUMES +SIZE +CREATED +STATUS +NAMES\n/); // prettier-ignore
    expect(v.stdout).toMatch(/\bnamed +0 +0B\n/);
    const prune = await ok(docker(['system', 'prune', '-f']));
    expect(prune.stdout).toMatch(/^Deleted Containers:\n[0-9a-f]{64}\n/);
    expect(prune.stdout).toMatch(/Total reclaimed space: /);
    expect((await docker(['ps', '-a', '--format', '{{.Names}}'])).stdout).toBe('live\n');
    // Without --volumes the anonymous volume stays; with it, it goes (named ones stay: Docker ≥ 1.42).
    const vols = async () => (await docker(['volume', 'ls', '-q'])).stdout.split('\n').filter(Boolean); // prettier-ignore
    expect(await vols()).toHaveLength(2);
    const pv = await ok(docker(['system', 'prune', '-f', '--volumes']));
    expect(pv.stdout).toMatch(/Deleted Volumes:\n[0-9a-f]{64}\n/);
    expect(await vols()).toEqual(['named']);
  });

  it('events --since/--until --filter replay container events; docker-py events(decode=True)', async () => {
    const since = (Date.now() / 1000 - 0.001).toFixed(3);
    await ok(docker(['run', '--name', 'ev', ...none, '--label', 'e=1', 'busybox', 'true']));
    await ok(docker(['rm', 'ev']));
    const until = (Date.now() / 1000 + 0.001).toFixed(3);
    const ev = await ok(docker(['events', '--since', since, '--until', until, '--filter', 'type=container', '--filter', 'label=e=1', '--filter', 'event=create', '--filter', 'event=start', '--filter', 'event=die', '--filter', 'event=destroy', '--format', '{{.Type}} {{.Action}} {{.Actor.Attributes.name}}'])); // prettier-ignore
    expect(ev.stdout).toBe(
      [
        'container create ev',
        'container start ev',
        'container die ev',
        'container destroy ev',
        '',
      ].join('\n'),
    );
    const only = await ok(docker(['events', '--since', since, '--until', until, '--filter', 'event=die', '--format', '{{.Action}} {{.Actor.Attributes.exitCode}}'])); // prettier-ignore
    expect(only.stdout).toBe('die 0\n');
    const p = await py(`
for e in client.events(since=${since}, until=${until}, filters={'type': 'container', 'event': ['start', 'destroy']}, decode=True):
    print(e['Type'], e['Action'], e['Actor']['Attributes']['name'], e['status'], e['scope'])
`);
    expect(p.stderr).toBe('');
    expect(p.stdout).toBe('container start ev start local\ncontainer destroy ev destroy local\n');
  });
});
