// `run` options that shape the process, and `exec`/`attach`, through the CLI against a real agent:
// --env-file, --entrypoint, -w, -u (uid:gid and names), --hostname, labels, exec -e/-w/-u and its
// exit codes, attach seeing a running container's output.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { TestAgent, useTestAgent, waitFor } from './harness.js';

const agent = new TestAgent();
const run = (args: string[], input?: string) => agent.cli(args, input);
const none = ['--network', 'none'];
const tmp = mkdtempSync('/tmp/flt-it-opts-');

useTestAgent(agent);
afterEach(() => agent.removeAll());
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const sh = (flags: string[], script: string) =>
  run(['run', '--rm', ...none, ...flags, 'busybox', 'sh', '-c', script]);

describe('run options', () => {
  it('--env-file reads KEY=VALUE lines, skips comments, takes bare names from the caller, and -e wins', async () => {
    const file = join(tmp, 'env');
    // FLOTILLA_HOST is set in the CLI's environment (the harness points it at the agent);
    // NOT_SET_ANYWHERE is not, so Docker leaves it out.
    writeFileSync(
      file,
      '# a comment\nFROM_FILE=one\nSPACED=a b c\n\nFLOTILLA_HOST\nNOT_SET_ANYWHERE\nOVER=file\n',
    );
    const r = await run([
      'run',
      '--rm',
      ...none,
      '--env-file',
      file,
      '-e',
      'OVER=flag',
      'busybox',
      'sh',
      '-c',
      'echo "$FROM_FILE|$SPACED|$FLOTILLA_HOST|$OVER"; env | grep -c NOT_SET_ANYWHERE',
    ]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(`one|a b c|${agent.env.FLOTILLA_HOST}|flag\n0\n`);
    // A missing file is refused by the CLI before anything is created (bin/flotilla, and the
    // harness, run Node with `--`: Node 20 would otherwise read --env-file itself, nodejs/node#54232).
    const before = agent.ids();
    const missing = await sh(['--env-file', join(tmp, 'nope')], 'true');
    expect(missing.status).toBe(125);
    expect(missing.stderr).toBe(
      `Error: invalid value "${join(tmp, 'nope')}" for flag --env-file: no such file\n`,
    );
    // (the --rm run above may still be going away: only new containers count)
    expect(agent.ids().filter((id) => !before.includes(id))).toEqual([]);
  });

  it('--entrypoint replaces the image entrypoint, and the command becomes its arguments', async () => {
    const r = await run(['run', '--rm', ...none, '--entrypoint', 'echo', 'busybox', 'a', 'b']);
    expect(r.stdout).toBe('a b\n');
    const ep = await run([
      'create',
      ...none,
      '--name',
      'ep',
      '--entrypoint',
      '/bin/echo',
      'busybox',
    ]);
    expect(ep.status).toBe(0);
    const d = await agent.inspect('ep');
    expect(d.Config.Entrypoint).toEqual(['/bin/echo']);
    // Docker: --entrypoint resets the image's CMD (here ["sh"]).
    expect(d.Config.Cmd ?? []).toEqual([]);
    expect(d.Path).toBe('/bin/echo');
    await run(['rm', 'ep']);
  });

  it('-w creates and enters the working directory', async () => {
    const r = await sh(['-w', '/work/deep'], 'pwd');
    expect(r.stdout).toBe('/work/deep\n');
  });

  it('-u takes uid:gid, name and name:group', async () => {
    const ids = 'echo $(id -u):$(id -g):$(id -G)';
    expect((await sh(['-u', '1234:4321'], ids)).stdout).toBe('1234:4321:4321\n');
    expect((await sh(['-u', 'app'], ids)).stdout).toBe('1000:1000:1000 2000\n');
    expect((await sh(['-u', 'app:extra'], ids)).stdout).toBe('1000:2000:2000\n');
    expect((await sh(['-u', '1000'], 'echo $(id -un) $HOME')).stdout).toBe('app /home/app\n');
  });

  it('--hostname sets the hostname and /etc/hostname', async () => {
    const r = await sh(['--hostname', 'box1'], 'hostname; cat /etc/hostname');
    expect(r.stdout).toBe('box1\nbox1\n');
  });

  it('-l sets labels, visible in inspect and to ps --filter label=', async () => {
    await run([
      'create',
      ...none,
      '--name',
      'labelled',
      '-l',
      'app=shop',
      '-l',
      'empty',
      'busybox',
      'true',
    ]);
    expect((await agent.inspect('labelled')).Config.Labels).toEqual({ app: 'shop', empty: '' });
    expect(
      (await run(['ps', '-a', '--filter', 'label=app=shop', '--format', '{{.Names}}'])).stdout,
    ).toBe('labelled\n');
    expect((await run(['ps', '-a', '--filter', 'label=app=other', '-q'])).stdout).toBe('');
    await run(['rm', 'labelled']);
  });
});

describe('exec', () => {
  it('exec -e, -w and -u set env, directory and user for that command only', async () => {
    await run(['run', '-d', ...none, '--name', 'ex', 'busybox', 'sleep', '600']);
    const r = await run([
      'exec',
      '-e',
      'X=42',
      '-w',
      '/data',
      '-u',
      'app',
      'ex',
      'sh',
      '-c',
      'echo $X $(pwd) $(id -u) $(id -G) $HOME',
    ]);
    expect(r.stdout).toBe('42 /data 1000 1000 2000 /home/app\n');
    expect(
      (await run(['exec', '-u', '5:6', 'ex', 'sh', '-c', 'echo $(id -u):$(id -g)'])).stdout,
    ).toBe('5:6\n');
    const plain = await run(['exec', 'ex', 'sh', '-c', 'echo "${X:-unset}" $(pwd) $(id -u)']);
    expect(plain.stdout).toBe('unset / 0\n');
  });

  it('exits 126 for a command that cannot run and 127 for one that is not there', async () => {
    await run(['run', '-d', ...none, '--name', 'ex', 'busybox', 'sleep', '600']);
    const notExec = await run(['exec', 'ex', '/etc/passwd']);
    expect(notExec.status).toBe(126);
    const missing = await run(['exec', 'ex', 'no-such-cmd']);
    expect(missing.status).toBe(127);
    expect((await run(['exec', 'ex', 'sh', '-c', 'exit 9'])).status).toBe(9);
    const ghost = await run(['exec', '-u', 'ghost', 'ex', 'true']);
    // Accepted, then not started: Docker's daemon gives such an exec 126.
    expect(ghost.status).toBe(126);
    expect(ghost.stderr).toMatch(/unable to find user ghost/);
    await run(['rm', '-f', 'ex']);
    const gone = await run(['exec', 'ex', 'true']);
    expect(gone.status).toBe(1);
    expect(gone.stderr.split('\n')[0]).toBe('Error: No such container: ex');
  });
});

describe('attach', () => {
  it('sees the output of a running container and leaves with its exit code', async () => {
    await run([
      'run',
      '-d',
      ...none,
      '--name',
      'talker',
      'busybox',
      'sh',
      '-c',
      'i=0; while [ ! -f /tmp/stop ]; do i=$((i+1)); echo tick $i; sleep 0.2; done; echo bye; echo err-bye >&2; exit 3',
    ]);
    const a = agent.stream(['attach', 'talker']);
    await waitFor('ticks through attach', () => /tick \d+\n/.test(a.stdout));
    expect((await run(['exec', 'talker', 'touch', '/tmp/stop'])).status).toBe(0);
    expect(await a.exited).toBe(3);
    expect(a.stdout).toMatch(/(tick \d+\n)+bye\n$/);
    expect(a.stderr).toBe('err-bye\n');
    // attach shows only what comes after it connects (no replay of the log).
    const first = Number(/tick (\d+)/.exec(a.stdout)?.[1]);
    expect((await run(['logs', 'talker'])).stdout).toMatch(new RegExp(`^tick 1\\n`));
    expect(first).toBeGreaterThanOrEqual(1);
    await run(['rm', 'talker']);
  });

  it('refuses to attach to a stopped container', async () => {
    await run(['create', ...none, '--name', 'idle', 'busybox', 'true']);
    const r = await run(['attach', 'idle']);
    expect(r.status).not.toBe(0);
    expect(r.stderr.split('\n')[0]).toMatch(/^Error: .*not running/i);
    await run(['rm', 'idle']);
  });
});
