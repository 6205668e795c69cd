// The runtime end to end: real runc and conmon under a private agent, driven through the CLI.
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleCli, TestAgent } from './harness.js';

const agent = new TestAgent();
const run = (args: string[], input?: string) => agent.cli(args, input);
const none = ['--network', 'none'];

beforeAll(async () => {
  await bundleCli();
  await agent.start();
});

afterAll(async () => {
  const ids = agent.ids();
  await agent.destroy();
  expect(agent.leftovers(ids)).toEqual([]);
});

describe('run', () => {
  it('runs busybox and prints its output', () => {
    const r = run(['run', '--rm', ...none, 'busybox', 'echo', 'hello']);
    expect(r.stdout).toBe('hello\n');
    expect(r.status).toBe(0);
  });

  it.each([
    [['sh', '-c', 'exit 3'], 3],
    [['nonexistent-cmd'], 127],
    [['/etc'], 126],
  ])('exits like docker for %j', (cmd, code) => {
    const r = run(['run', '--rm', ...none, 'busybox', ...cmd]);
    expect(r.status).toBe(code);
    if (code >= 126) expect(r.stderr.split('\n')[0]).toMatch(/^Error: failed to start container/);
  });

  it('resolves env, workdir and user from the image', () => {
    const r = run([
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

  it('pipes stdin with -i', () => {
    const r = run(['run', '--rm', '-i', ...none, 'busybox', 'cat'], 'hi\n');
    expect(r.stdout).toBe('hi\n');
  });

  it('gives a terminal with -it (typed command is echoed back)', () => {
    const script = `
import os,pty,sys,time,select
pid,fd=pty.fork()
if pid==0:
    os.execvp('node',['node',sys.argv[1],'run','--rm','-it','--network','none','busybox','sh'])
out=b''
def pump(t):
    global out
    end=time.time()+t
    while time.time()<end:
        r,_,_=select.select([fd],[],[],0.1)
        if r:
            try: out+=os.read(fd,4096)
            except OSError: return
time.sleep(1.5); os.write(fd,b'echo tty-$((40+2))\\r'); pump(2)
os.write(fd,b'tty; exit\\r'); pump(3)
sys.stdout.write(out.decode(errors='replace'))
`;
    const r = spawnSync('python3', ['-c', script, require_bundle()], {
      env: agent.env,
      timeout: 30_000,
    });
    const out = r.stdout.toString();
    expect(out).toContain('tty-42');
    expect(out).toContain('/dev/pts/');
  });
});

function require_bundle(): string {
  return new URL('../../../node_modules/.flotilla-rt/flotilla.mjs', import.meta.url).pathname;
}

describe('errors leave nothing half-created', () => {
  it.each([
    [['run', 'no-such-image', 'true'], /Unable to find image "no-such-image" locally/],
    [['run', '--memory', 'lots', 'busybox', 'true'], /--memory: invalid size "lots"/],
    [['run', '--cpus', '-1', 'busybox', 'true'], /invalid value "-1" for flag --cpus/],
    [['run', '-u', 'ghost', 'busybox', 'true'], /unable to find user ghost/],
  ])('%j', (args, msg) => {
    const before = agent.ids().length;
    const r = run(args);
    expect(r.status).toBe(125);
    expect(r.stderr.split('\n')[0]).toMatch(msg);
    expect(agent.ids().length).toBe(before);
  });

  it('refuses a duplicate name and rm of a running container without -f', () => {
    expect(run(['run', '-d', ...none, '--name', 'dup', 'busybox', 'sleep', '60']).status).toBe(0);
    const r = run(['create', '--name', 'dup', 'busybox', 'true']);
    expect(r.status).toBe(125);
    expect(r.stderr).toMatch(/name "\/dup" is already in use/);
    const rm = run(['rm', 'dup']);
    expect(rm.status).toBe(125);
    expect(rm.stderr).toMatch(/cannot remove container dup: container is running/);
    expect(run(['rm', '-f', 'dup']).status).toBe(0);
  });
});

describe('lifecycle', () => {
  it('logs with --tail and -f, stdout and stderr apart', () => {
    run([
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
    const f = run(['logs', '-f', 'logger']);
    expect(f.stdout).toBe('out1\nout2\nout3\nlast\n');
    expect(f.stderr).toBe('err1\nerr2\nerr3\n');
    expect(run(['logs', '--tail', '1', 'logger']).stdout).toBe('last\n');
    run(['rm', 'logger']);
  });

  it('exec returns the exit code and pipes stdin', () => {
    run(['run', '-d', ...none, '--name', 'ex', 'busybox', 'sleep', '60']);
    expect(run(['exec', 'ex', 'sh', '-c', 'exit 7']).status).toBe(7);
    expect(run(['exec', '-i', 'ex', 'cat'], 'piped\n').stdout).toBe('piped\n');
    expect(run(['exec', 'ex', 'nope']).status).toBe(127);
    run(['rm', '-f', 'ex']);
  });

  it('stop escalates to SIGKILL when the process ignores SIGTERM', () => {
    run([
      'run',
      '-d',
      ...none,
      '--name',
      'stubborn',
      'busybox',
      'sh',
      '-c',
      "trap '' TERM; sleep 60 & wait; sleep 60",
    ]);
    expect(run(['stop', '-t', '1', 'stubborn']).status).toBe(0);
    const state = JSON.parse(run(['inspect', 'stubborn']).stdout)[0].State;
    expect(state.Status).toBe('exited');
    expect(state.ExitCode).toBe(137);
    run(['rm', 'stubborn']);
  });

  it('reports an OOM kill', () => {
    const r = run([
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
    expect(JSON.parse(run(['inspect', 'oom']).stdout)[0].State.OOMKilled).toBe(true);
    run(['rm', 'oom']);
  });

  it('restarts a crashing container with on-failure:2', async () => {
    run([
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
    for (let i = 0; i < 50; i++) {
      const d = JSON.parse(run(['inspect', 'crashy']).stdout)[0];
      if (d.RestartCount === 2 && d.State.Status === 'exited') break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const d = JSON.parse(run(['inspect', 'crashy']).stdout)[0];
    expect(d.RestartCount).toBe(2);
    expect(d.State.ExitCode).toBe(1);
    run(['rm', 'crashy']);
  });

  it('health goes healthy then unhealthy', async () => {
    run([
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
      'touch /tmp/ok; sleep 6; rm /tmp/ok; sleep 60',
    ]);
    const seen = new Set<string>();
    for (let i = 0; i < 120 && !seen.has('unhealthy'); i++) {
      seen.add(JSON.parse(run(['inspect', 'hc']).stdout)[0].State.Health.Status);
      await new Promise((r) => setTimeout(r, 150));
    }
    expect(seen.has('healthy')).toBe(true);
    expect(seen.has('unhealthy')).toBe(true);
    run(['rm', '-f', 'hc']);
  });

  it('isolates the container from the host', () => {
    const r = run([
      'run',
      '--rm',
      ...none,
      'busybox',
      'sh',
      '-c',
      'ps -o pid | wc -l; mount -t tmpfs t /mnt 2>&1 || echo nomount; echo kcore=$(cat /proc/kcore 2>/dev/null | wc -c); insmod /x.ko 2>&1 || echo nomod',
    ]);
    const lines = r.stdout.trim().split('\n');
    expect(Number(lines[0])).toBeLessThan(6);
    expect(r.stdout).toContain('nomount');
    expect(r.stdout).toContain('nomod');
    expect(r.stdout).toContain('kcore=0');
  });

  it('adopts running containers after an agent crash and records exits that happened meanwhile', async () => {
    run(['run', '-d', ...none, '--name', 'survivor', 'busybox', 'sleep', '60']);
    run(['run', '-d', ...none, '--name', 'quitter', 'busybox', 'sh', '-c', 'sleep 2; exit 4']);
    agent.crash();
    await new Promise((r) => setTimeout(r, 3000));
    await agent.start();
    const s = JSON.parse(run(['inspect', 'survivor']).stdout)[0].State;
    expect(s.Status).toBe('running');
    const q = JSON.parse(run(['inspect', 'quitter']).stdout)[0].State;
    expect(q.Status).toBe('exited');
    expect(q.ExitCode).toBe(4);
    expect(run(['exec', 'survivor', 'true']).status).toBe(0);
    expect(run(['stop', '-t', '1', 'survivor']).status).toBe(0);
    run(['rm', 'survivor', 'quitter']);
  });
});
