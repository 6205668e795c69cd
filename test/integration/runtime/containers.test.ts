// The runtime end to end: real runc and conmon under one private agent per file, images from the
// agent's ImageService (busybox loaded with `flotilla load`, another pulled from a loopback
// registry), root filesystems from the OverlaySnapshotter, driven through the CLI. Tests run one
// after another (on two loaded cores, concurrent CLI processes only slowed everything down).
import { describe, expect, it } from 'vitest';
import { runPtyDriver } from '../../harness/pty-driver.js';
import { startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { uploadImage } from '../image/helpers.js';
import { bundlePath, busyboxImage, TestAgent, useTestAgent } from './harness.js';

const agent = new TestAgent();
const run = (args: string[], input?: string) => agent.cli(args, input);
const none = ['--network', 'none'];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let registry: RunningRegistry | undefined;

useTestAgent(agent, async () => {
  await registry?.stop();
});

describe('run', () => {
  it('runs busybox from the image store and prints its output', async ({ expect }) => {
    const r = await run(['run', '--rm', ...none, 'busybox', 'echo', 'hello']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('hello\n');
    expect(r.status).toBe(0);
  });

  it.for([
    [['sh', '-c', 'exit 3'], 3],
    [['nonexistent-cmd'], 127],
    [['/etc'], 126],
  ] as [string[], number][])('exits like docker for %j', async ([cmd, code], { expect }) => {
    const r = await run(['run', '--rm', ...none, 'busybox', ...cmd]);
    expect(r.status).toBe(code);
    if (code >= 126) expect(r.stderr.split('\n')[0]).toMatch(/^Error: failed to start container/);
  });

  it('resolves env, workdir and user from the image', async ({ expect }) => {
    const r = await run([
      'run',
      '--rm',
      ...none,
      '-u',
      'app',
      '-w',
      '/tmp',
      '-e',
      'FOO=bar',
      'busybox',
      'sh',
      '-c',
      'id -u; id -G; pwd; echo $FOO $HOME',
    ]);
    expect(r.stdout).toBe('1000\n1000 2000\n/tmp\nbar /home/app\n');
  });

  it('pipes stdin with -i', async ({ expect }) => {
    const r = await run(['run', '--rm', '-i', ...none, 'busybox', 'cat'], 'hi\n');
    expect(r.stdout).toBe('hi\n');
  });

  it('gives a terminal with -it (typed command is echoed back)', async ({ expect }) => {
    const driver = `
pid,fd=pty.fork()
if pid==0:
    os.execvp('node',['node',sys.argv[1],'run','--rm','-it','--network','none','busybox','sh'])
prompt=pump(20, b'# ')
os.write(fd,b'echo tty-$((40+2))\\r'); echoed=pump(10, b'tty-42')
os.write(fd,b'tty; exit\\r'); pump(10)
print(json.dumps({'prompt':prompt,'echoed':echoed}))
sys.stdout.write(out.decode(errors='replace'))
`;
    const { out } = await runPtyDriver(driver, [bundlePath], agent.env);
    expect(out).toContain('tty-42');
    expect(out).toContain('/dev/pts/');
  });

  it('shows the snapshot paths in inspect and releases everything on rm', async ({ expect }) => {
    const id = (
      await run(['run', '-d', ...none, '--name', 'gd', 'busybox', 'sleep', '600'])
    ).stdout.trim();
    const d = await agent.inspect(id);
    expect(d.GraphDriver.Name).toBe('overlay');
    expect(d.GraphDriver.Data.UpperDir).toMatch(new RegExp(`/snapshots/${id}/upper$`));
    expect(d.GraphDriver.Data.MergedDir).toMatch(new RegExp(`/snapshots/${id}/merged$`));
    // Docker's order: the container's init layer (mount points), then the image's two layers.
    const lowers = d.GraphDriver.Data.LowerDir.split(':');
    expect(lowers).toHaveLength(3);
    expect(lowers[0]).toMatch(new RegExp(`/snapshots/${id}/init$`));
    expect(agent.leftoversOf(id)).not.toEqual([]);
    expect((await run(['exec', 'gd', 'sh', '-c', 'echo x > /written'])).status).toBe(0);
    const { readFileSync } = await import('node:fs');
    expect(readFileSync(`${d.GraphDriver.Data.UpperDir}/written`, 'utf8')).toBe('x\n');
    expect((await run(['rm', '-f', 'gd'])).status).toBe(0);
    expect(agent.leftoversOf(id)).toEqual([]);
  });
});

describe('images', () => {
  it('pulls a missing image on run, then refuses rmi while a container uses it', async ({
    expect,
  }) => {
    registry = await startRegistry();
    const img = await busyboxImage({ Cmd: ['echo', 'from-registry'] });
    await uploadImage(registry.host, 'test/bb', '1', img);
    const ref = `${registry.host}/test/bb:1`;
    const r = await run(['run', '--rm', ...none, ref]);
    expect(r.stderr.split('\n')[0]).toBe(`Unable to find image '${ref}' locally`);
    expect(r.stderr).toContain(`Status: Downloaded newer image for ${ref}`);
    expect(r.stdout).toBe('from-registry\n');
    expect(r.status).toBe(0);
    // Present now: no second pull.
    const again = await run(['run', '--rm', ...none, ref]);
    expect(again.stderr).toBe('');
    expect(again.stdout).toBe('from-registry\n');

    expect((await run(['create', '--name', 'user', ...none, ref])).status).toBe(0);
    const refused = await run(['rmi', ref]);
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toMatch(/must force/);
    expect((await run(['rm', 'user'])).status).toBe(0);
    expect((await run(['rmi', ref])).status).toBe(0);
  });

  it('does not pull with --pull never', async ({ expect }) => {
    const r = await run(['run', '--rm', '--pull', 'never', 'not-here:1', 'true']);
    expect(r.status).toBe(125);
    expect(r.stderr.split('\n')[0]).toBe('Error: No such image: not-here:1');
  });
});

describe('errors leave nothing half-created', () => {
  it.for([
    [['run', '--memory', 'lots', 'busybox', 'true'], /--memory: invalid size "lots"/],
    [['run', '--cpus', '-1', 'busybox', 'true'], /invalid value "-1" for flag --cpus/],
    [['run', '-u', 'ghost', 'busybox', 'true'], /unable to find user ghost/],
    [
      ['run', '--log-opt', 'max-file=0', 'busybox', 'true'],
      /invalid log opt max-file="0" for json-file log driver: must be a positive integer/,
    ],
  ] as [string[], RegExp][])('%j', async ([args, msg], { expect }) => {
    const before = agent.ids().length;
    const r = await run(args);
    expect(r.status).toBe(125);
    expect(r.stderr.split('\n')[0]).toMatch(msg);
    expect(agent.ids().length).toBeLessThanOrEqual(before);
  });

  it('refuses a duplicate name and rm of a running container without -f', async ({ expect }) => {
    expect(
      (await run(['run', '-d', ...none, '--name', 'dup', 'busybox', 'sleep', '600'])).status,
    ).toBe(0);
    const r = await run(['create', '--name', 'dup', 'busybox', 'true']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/name "\/dup" is already in use/);
    const rm = await run(['rm', 'dup']);
    expect(rm.status).toBe(1);
    expect(rm.stderr).toMatch(/cannot remove container dup: container is running/);
    expect((await run(['rm', '-f', 'dup'])).status).toBe(0);
  });
});

describe('lifecycle', () => {
  it('logs with --tail and -f, stdout and stderr apart', async ({ expect }) => {
    await run([
      'run',
      '-d',
      ...none,
      '--name',
      'logger',
      'busybox',
      'sh',
      '-c',
      'for i in 1 2 3; do echo out$i; echo err$i >&2; done; sleep 1; echo last',
    ]);
    const f = await run(['logs', '-f', 'logger']);
    expect(f.stdout).toBe('out1\nout2\nout3\nlast\n');
    expect(f.stderr).toBe('err1\nerr2\nerr3\n');
    expect((await run(['logs', '--tail', '1', 'logger'])).stdout).toBe('last\n');
    await run(['rm', 'logger']);
  });

  it('rotates logs past --log-opt max-size, keeps max-file files, and reads across them', async ({
    expect,
  }) => {
    const r = await run([
      'run',
      ...none,
      '--name',
      'rotor',
      '--log-opt',
      'max-size=8k',
      '--log-opt',
      'max-file=3',
      'busybox',
      'sh',
      '-c',
      // ~60 bytes per log line, 1000 lines: several rotations; pauses let the agent rotate.
      'i=0; while [ $i -lt 1000 ]; do echo "line $i xxxxxxxxxxxxxxxxxxxxxxxx"; i=$((i+1)); [ $((i % 50)) = 0 ] && sleep 0.1; done',
    ]);
    expect(r.status).toBe(0);
    const d = await agent.inspect('rotor');
    const { existsSync, statSync } = await import('node:fs');
    expect(existsSync(`${d.LogPath}.1`)).toBe(true);
    expect(existsSync(`${d.LogPath}.3`)).toBe(false);
    for (const p of [d.LogPath, `${d.LogPath}.1`, `${d.LogPath}.2`])
      if (existsSync(p)) expect(statSync(p).size).toBeLessThan(16 * 1024);
    const lines = (await run(['logs', 'rotor'])).stdout.trim().split('\n');
    expect(lines.at(-1)).toBe('line 999 xxxxxxxxxxxxxxxxxxxxxxxx');
    // Consecutive: whatever is kept is a contiguous tail.
    const nums = lines.map((l) => Number(l.split(' ')[1]));
    expect(nums).toEqual(nums.map((_, i) => nums[0] + i));
    expect(nums.length).toBeGreaterThan(100);
    await run(['rm', 'rotor']);
  });

  it('exec returns the exit code and pipes stdin', async ({ expect }) => {
    await run(['run', '-d', ...none, '--name', 'ex', 'busybox', 'sleep', '600']);
    expect((await run(['exec', 'ex', 'sh', '-c', 'exit 7'])).status).toBe(7);
    expect((await run(['exec', '-i', 'ex', 'cat'], 'piped\n')).stdout).toBe('piped\n');
    expect((await run(['exec', 'ex', 'nope'])).status).toBe(127);
    await run(['rm', '-f', 'ex']);
  });

  it('stop escalates to SIGKILL when the process ignores SIGTERM', async ({ expect }) => {
    await run([
      'run',
      '-d',
      ...none,
      '--name',
      'stubborn',
      'busybox',
      'sh',
      '-c',
      "trap '' TERM; sleep 600 & wait; sleep 600",
    ]);
    expect((await run(['stop', '-t', '1', 'stubborn'])).status).toBe(0);
    const state = (await agent.inspect('stubborn')).State;
    expect(state.Status).toBe('exited');
    expect(state.ExitCode).toBe(137);
    await run(['rm', 'stubborn']);
  });

  it('reports an OOM kill', async ({ expect }) => {
    const r = await run([
      'run',
      ...none,
      '--name',
      'oom',
      '--memory',
      '8m',
      '--memory-swap',
      '8m',
      'busybox',
      'sh',
      '-c',
      'x=a; while true; do x=$x$x; done',
    ]);
    expect(r.status).toBe(137);
    expect((await agent.inspect('oom')).State.OOMKilled).toBe(true);
    await run(['rm', 'oom']);
  });

  it('restarts a crashing container with on-failure:2', async ({ expect }) => {
    await run([
      'run',
      '-d',
      ...none,
      '--name',
      'crashy',
      '--restart',
      'on-failure:2',
      'busybox',
      'sh',
      '-c',
      'exit 1',
    ]);
    // Polls the record on disk: a CLI call per poll is too slow on a loaded machine.
    const done = () => {
      const r = agent.record('crashy');
      return r?.restartCount === 2 && r.state.status === 'exited';
    };
    for (let i = 0; i < 600 && !done(); i++) await sleep(100);
    const d = await agent.inspect('crashy');
    expect(d.RestartCount).toBe(2);
    expect(d.State.ExitCode).toBe(1);
    await run(['rm', 'crashy']);
  });

  it('health goes healthy then unhealthy', async ({ expect }) => {
    await run([
      'run',
      '-d',
      ...none,
      '--name',
      'hc',
      '--health-cmd',
      'test -f /tmp/ok',
      '--health-interval',
      '300ms',
      '--health-retries',
      '2',
      'busybox',
      'sh',
      '-c',
      'touch /tmp/ok; sleep 10; rm /tmp/ok; sleep 600',
    ]);
    const seen = new Set<string>();
    for (let i = 0; i < 1200 && !seen.has('unhealthy'); i++) {
      const h = agent.record('hc')?.state.health?.Status;
      if (h) seen.add(h);
      await sleep(50);
    }
    expect(seen.has('healthy')).toBe(true);
    expect(seen.has('unhealthy')).toBe(true);
    await run(['rm', '-f', 'hc']);
  });

  // Checks run through the container's flotilla-probe (health/probe-servers.ts), which forks them
  // inside the container: they must see what a `docker exec` sees, and nothing more.
  it('runs health checks inside the container, as its user, with its env and confinement', async ({
    expect,
  }) => {
    const probe = [
      'echo host=$(hostname) marker=$(cat /tmp/marker) init=$(cat /proc/1/comm)',
      'echo user=$(id -u) foo=$FOO cwd=$(pwd) parent=$(cat /proc/$PPID/comm)',
      'echo seccomp=$(grep "^Seccomp:" /proc/self/status | cut -f2)',
      // capabilities, no_new_privs and seccomp mode as the container's own process
      'p="^(Cap(Inh|Prm|Eff|Bnd|Amb)|NoNewPrivs|Seccomp):"',
      '[ "$(grep -E "$p" /proc/self/status)" = "$(grep -E "$p" /proc/1/status)" ] && echo confined=init',
      '[ "$(cat /proc/self/cgroup)" = "$(cat /proc/1/cgroup)" ] && echo cgroup=init',
    ].join('; ');
    await run([
      'run',
      '-d',
      ...none,
      '--name',
      'hcns',
      '--hostname',
      'hc-ns-host',
      '-u',
      'app',
      '-w',
      '/tmp',
      '-e',
      'FOO=bar',
      '--health-cmd',
      probe,
      '--health-interval',
      '300ms',
      'busybox',
      'sh',
      '-c',
      'echo only-in-ctr > /tmp/marker; exec sleep 600',
    ]);
    let log: { ExitCode: number; Output: string }[] = [];
    for (let i = 0; i < 600 && !log.some((e) => e.ExitCode === 0); i++) {
      log = agent.record('hcns')?.state.health?.Log ?? [];
      await sleep(50);
    }
    const id = agent.record('hcns')!.id as string;
    const out = log.find((e) => e.ExitCode === 0)?.Output ?? JSON.stringify(log);
    expect(out).toBe(
      [
        'host=hc-ns-host marker=only-in-ctr init=sleep',
        'user=1000 foo=bar cwd=/tmp parent=flotilla-probe',
        'seccomp=2',
        'confined=init',
        'cgroup=init',
        '',
      ].join('\n'),
    );
    // and the container's init is in the container's cgroup (cgroupfs path flotilla/<id>)
    const cg = await run(['exec', 'hcns', 'cat', '/proc/1/cgroup']);
    expect(cg.stdout).toContain(`flotilla/${id}`);
    await run(['rm', '-f', 'hcns']);
  });

  it('kills a health check at its timeout, inside the container', async ({ expect }) => {
    await run([
      'run',
      '-d',
      ...none,
      '--name',
      'hcto',
      '--health-cmd',
      'echo $$ >> /tmp/probes; exec sleep 777',
      '--health-timeout',
      '500ms',
      '--health-interval',
      '1s',
      '--health-retries',
      '1',
      'busybox',
      'sleep',
      '600',
    ]);
    let h: { Status: string; Log: { ExitCode: number; Output: string }[] } | undefined;
    for (let i = 0; i < 600 && h?.Status !== 'unhealthy'; i++) {
      h = agent.record('hcto')?.state.health;
      await sleep(50);
    }
    expect(h?.Status).toBe('unhealthy');
    expect(h?.Log[0]).toMatchObject({ ExitCode: -1, Output: 'Health check exceeded timeout' });
    // The first check's process (its pid is the first line: the shell exec'd sleep) is gone once a
    // second check has started.
    let probes = '';
    for (let i = 0; i < 100 && probes.split('\n').length < 3; i++) {
      probes = (await run(['exec', 'hcto', 'cat', '/tmp/probes'])).stdout;
      await sleep(200);
    }
    const first = probes.split('\n')[0];
    expect(first).toMatch(/^\d+$/);
    const alive = await run([
      'exec',
      'hcto',
      'sh',
      '-c',
      `kill -0 ${first} && echo alive || echo gone`,
    ]);
    expect(alive.stdout).toBe('gone\n');
    await run(['rm', '-f', 'hcto']);
  });

  it('isolates the container from the host', async ({ expect }) => {
    const r = await run([
      'run',
      '--rm',
      ...none,
      'busybox',
      'sh',
      '-c',
      'ps -o pid | wc -l; mkdir /mnt; mount -t tmpfs t /mnt 2>&1 || echo nomount; echo kcore=$(cat /proc/kcore 2>/dev/null | wc -c); insmod /x.ko 2>&1 || echo nomod',
    ]);
    const lines = r.stdout.trim().split('\n');
    expect(Number(lines[0])).toBeLessThan(6);
    expect(r.stdout).toContain('nomount');
    expect(r.stdout).toContain('nomod');
    expect(r.stdout).toContain('kcore=0');
  });
});

describe('live restore', () => {
  it('adopts running containers after an agent crash and records exits that happened meanwhile', async () => {
    await run(['run', '-d', ...none, '--name', 'survivor', 'busybox', 'sleep', '600']);
    await run([
      'run',
      '-d',
      ...none,
      '--name',
      'quitter',
      'busybox',
      'sh',
      '-c',
      'sleep 2; exit 4',
    ]);
    await run([
      'run',
      '-d',
      ...none,
      '--name',
      'phoenix',
      '--restart',
      'always',
      'busybox',
      'sleep',
      '600',
    ]);
    const phoenixPid = (await agent.inspect('phoenix')).State.Pid;
    agent.crash();
    await sleep(3000);
    await agent.start();
    const s = (await agent.inspect('survivor')).State;
    expect(s.Status).toBe('running');
    const q = (await agent.inspect('quitter')).State;
    expect(q.Status).toBe('exited');
    expect(q.ExitCode).toBe(4);
    // Adopted, not restarted: same process.
    expect((await agent.inspect('phoenix')).State.Pid).toBe(phoenixPid);
    expect((await run(['exec', 'survivor', 'true'])).status).toBe(0);
    expect((await run(['stop', '-t', '1', 'survivor'])).status).toBe(0);
    await run(['rm', '-f', 'survivor', 'quitter', 'phoenix']);
  });

  it('brings --restart always containers back after a clean agent restart, even if stopped', async () => {
    await run([
      'run',
      '-d',
      ...none,
      '--name',
      'always',
      '--restart',
      'always',
      'busybox',
      'sleep',
      '600',
    ]);
    await run([
      'run',
      '-d',
      ...none,
      '--name',
      'unless',
      '--restart',
      'unless-stopped',
      'busybox',
      'sleep',
      '600',
    ]);
    await run(['stop', '-t', '0', 'always', 'unless']);
    await agent.stop();
    await agent.start();
    let st = (await agent.inspect('always')).State.Status;
    for (let i = 0; i < 50 && st !== 'running'; i++) {
      await sleep(200);
      st = (await agent.inspect('always')).State.Status;
    }
    expect(st).toBe('running');
    expect((await agent.inspect('unless')).State.Status).toBe('exited');
    await run(['rm', '-f', 'always', 'unless']);
  });
});
