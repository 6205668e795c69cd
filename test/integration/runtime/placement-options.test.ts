// `run`/`create` options handled around the container, through the CLI against a real agent:
// --ip (the address inside the container, refusals), --platform, --cidfile, --label-file,
// --volumes-from (a file written through it), --sig-proxy (the signal the process receives) and
// --health-start-interval, each read back the way a user would.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TestAgent, useTestAgent, waitFor } from './harness.js';

const agent = new TestAgent([], '10.251.56.0/24');
const run = (args: string[], input?: string) => agent.cli(args, input);
const tmp = mkdtempSync('/tmp/flt-it-place-');

useTestAgent(agent);
afterEach(() => agent.removeAll());
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A refusal: Docker's status for `run`, one line naming the flag, no stack trace. */
function refused(r: { status: number | null; stderr: string }, ...words: string[]): void {
  expect(r.status).toBe(125);
  for (const w of words) expect(r.stderr).toContain(w);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

describe('--ip', () => {
  beforeAll(async () => {
    const r = await run(['network', 'create', '--subnet', '10.251.57.0/24', 'pnet']);
    expect(r.stderr).toBe('');
  });
  afterAll(async () => {
    await run(['network', 'rm', 'pnet']);
  });

  it('gives the container the address asked for, shown by inspect under IPAMConfig', async () => {
    const r = await run(
      ['run', '--rm', '--network', 'pnet', '--ip', '10.251.57.77', 'busybox'].concat([
        'sh',
        '-c',
        'ip -4 -o addr show eth0',
      ]),
    );
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('inet 10.251.57.77/24');
    const id = (
      await run(['create', '--network', 'pnet', '--ip', '10.251.57.78', 'busybox', 'sleep', '600'])
    ).stdout.trim();
    expect((await agent.inspect(id)).HostConfig.NetworkMode).toBe('pnet');
    expect((await run(['start', id])).status).toBe(0);
    const net = (await agent.inspect(id)).NetworkSettings.Networks.pnet;
    expect(net.IPAMConfig).toEqual({ IPv4Address: '10.251.57.78' });
    expect(net.IPAddress).toBe('10.251.57.78');
    // Taken by that container: a second one is refused at start, naming the address.
    const again = await run([
      'run',
      '--rm',
      '--network',
      'pnet',
      '--ip',
      '10.251.57.78',
      'busybox',
      'true',
    ]);
    refused(again, 'Address already in use', '10.251.57.78');
  });

  it.each<[string[], string[]]>([
    [
      ['--ip', '10.251.56.9'],
      ['user specified IP address is supported on user defined networks only'],
    ],
    [
      ['--network', 'pnet', '--ip', '10.9.9.9'],
      ['--ip', 'not in the subnet 10.251.57.0/24'],
    ],
    [
      ['--network', 'pnet', '--ip', '10.251.57.1'],
      ['--ip', 'reserved'],
    ],
    [
      ['--network', 'pnet', '--ip', 'ten.0.0.1'],
      ['--ip', 'not an IPv4 address'],
    ],
    [
      ['--network', 'pnet', '--ip6', 'fd00::9'],
      ['--ip6', 'no IPv6'],
    ],
  ])('refuses %j', async (flags, words) => {
    const before = agent.ids();
    refused(await run(['run', '--rm', ...flags, 'busybox', 'true']), ...words);
    expect(agent.ids()).toEqual(before);
  });
});

describe('--platform', () => {
  it('runs an image of the platform asked for and refuses another, as Docker words it', async () => {
    const ok = await run([
      'run',
      '--rm',
      '--network',
      'none',
      '--platform',
      'linux/amd64',
      'busybox',
      'echo',
      'ok',
    ]);
    expect(ok.stderr).toBe('');
    expect(ok.stdout).toBe('ok\n');
    const other = await run(['run', '--rm', '--platform', 'linux/arm64', 'busybox', 'true']);
    refused(
      other,
      'image with reference busybox was found but does not match the specified platform: wanted linux/arm64, actual: linux/amd64',
    );
    refused(await run(['create', '--platform', 'arm64', 'busybox']), '--platform', 'os/arch');
  });
});

describe('--cidfile', () => {
  it('writes the id, and refuses a file that exists before creating anything', async () => {
    const file = join(tmp, 'cid');
    const c = await run(['create', '--cidfile', file, 'busybox']);
    expect(c.status).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(c.stdout.trim());
    const before = agent.ids();
    const again = await run(['run', '--cidfile', file, 'busybox', 'true']);
    refused(
      again,
      `Container ID file found, make sure the other container isn't running or delete ${file}`,
    );
    expect(agent.ids()).toEqual(before);
    expect(readFileSync(file, 'utf8')).toBe(c.stdout.trim());
    // A create the agent refuses leaves no file behind.
    const gone = join(tmp, 'cid-refused');
    const bad = await run(['create', '--cidfile', gone, 'no-such-image-here', '--pull', 'never']);
    expect(bad.status).not.toBe(0);
    expect(existsSync(gone)).toBe(false);
  });
});

describe('--label-file', () => {
  it('reads k=v lines, skipping comments and blank lines; --label wins', async () => {
    const file = join(tmp, 'labels');
    writeFileSync(file, '# team labels\n\ntier=web\nowner=ops\n  spaced=a b\nflag\n');
    const c = await run(['create', '--label-file', file, '-l', 'owner=dev', 'busybox']);
    expect(c.stderr).toBe('');
    const labels = (await agent.inspect(c.stdout.trim())).Config.Labels;
    expect(labels).toMatchObject({ tier: 'web', owner: 'dev', spaced: 'a b', flag: '' });
    expect(Object.keys(labels)).not.toContain('# team labels');
  });

  it('names the flag and the file it cannot read or parse', async () => {
    const missing = join(tmp, 'nope');
    refused(
      await run(['create', '--label-file', missing, 'busybox']),
      '--label-file',
      missing,
      'no such file',
    );
    const badFile = join(tmp, 'bad-labels');
    writeFileSync(badFile, 'ok=1\nbad key=2\n');
    refused(
      await run(['create', '--label-file', badFile, 'busybox']),
      '--label-file',
      badFile,
      'line 2',
    );
  });
});

describe('--volumes-from', () => {
  it('mounts the other container’s named volume and bind; :ro makes them read-only', async () => {
    const bind = mkdtempSync(join(tmp, 'bind-'));
    const src = await run([
      'create',
      '--name',
      'src',
      '-v',
      'vfrom:/data',
      '-v',
      `${bind}:/bind`,
      'busybox',
    ]);
    expect(src.stderr).toBe('');
    const w = await run([
      'run',
      '--rm',
      '--network',
      'none',
      '--volumes-from',
      'src',
      'busybox',
      'sh',
      '-c',
      'echo through-volume > /data/f && echo through-bind > /bind/g',
    ]);
    expect(w.stderr).toBe('');
    expect(w.status).toBe(0);
    expect(readFileSync(join(bind, 'g'), 'utf8')).toBe('through-bind\n');
    const r = await run([
      'run',
      '--rm',
      '--network',
      'none',
      '-v',
      'vfrom:/v',
      'busybox',
      'cat',
      '/v/f',
    ]);
    expect(r.stdout).toBe('through-volume\n');

    const ro = await run([
      'create',
      '--network',
      'none',
      '--volumes-from',
      'src:ro',
      'busybox',
      'sh',
      '-c',
      'touch /data/x',
    ]);
    const doc = await agent.inspect(ro.stdout.trim());
    expect(doc.HostConfig.VolumesFrom).toEqual(['src:ro']);
    expect(doc.Mounts.map((m: any) => [m.Destination, m.RW]).sort()).toEqual([
      ['/bind', false],
      ['/data', false],
    ]);
    const started = await run(['start', '-a', ro.stdout.trim()]);
    expect(started.stderr).toContain('Read-only file system');
  });

  it('refuses an unknown container and a bad mode', async () => {
    refused(await run(['run', '--rm', '--volumes-from', 'nosuch', 'busybox', 'true']), 'nosuch');
    refused(
      await run(['run', '--rm', '--volumes-from', 'src:rx', 'busybox', 'true']),
      '--volumes-from',
      'ro or rw',
    );
  });
});

describe('--sig-proxy', () => {
  const script = 'trap "echo got-term; exit 7" TERM; echo ready; while true; do sleep 0.1; done';

  it('forwards a SIGTERM sent to `run` to the container’s process (the default)', async () => {
    const s = agent.stream(['run', '--rm', '--network', 'none', 'busybox', 'sh', '-c', script]);
    await waitFor('the container to be ready', () => s.stdout.includes('ready'));
    await s.stop();
    expect(await s.exited).toBe(7);
    expect(s.stdout).toBe('ready\ngot-term\n');
  });

  it('`start -a` forwards signals too', async () => {
    const id = (
      await run(['create', '--network', 'none', 'busybox', 'sh', '-c', script])
    ).stdout.trim();
    const s = agent.stream(['start', '-a', id]);
    await waitFor('the container to be ready', () => s.stdout.includes('ready'));
    await s.stop();
    expect(await s.exited).toBe(7);
    expect(s.stdout).toBe('ready\ngot-term\n');
  });

  it('--sig-proxy=false leaves the container running when `run` is signalled', async () => {
    const s = agent.stream([
      'run',
      '--name',
      'noproxy',
      '--network',
      'none',
      '--sig-proxy=false',
      'busybox',
      'sh',
      '-c',
      script,
    ]);
    await waitFor('the container to be ready', () => s.stdout.includes('ready'));
    await s.stop();
    expect(s.stdout).toBe('ready\n');
    expect((await agent.inspect('noproxy')).State.Running).toBe(true);
  });

  it('refuses a value that is not a boolean, and with -d', async () => {
    refused(await run(['run', '--sig-proxy=maybe', 'busybox', 'true']), '--sig-proxy');
    refused(await run(['run', '-d', '--sig-proxy=true', 'busybox', 'true']), '--sig-proxy', '-d');
  });
});

describe('--health-start-interval', () => {
  it('sets Healthcheck.StartInterval and checks at that pace during the start period', async () => {
    const id = (
      await run([
        'run',
        '-d',
        '--network',
        'none',
        // Failing: the container stays `starting`, so the start interval keeps the pace.
        '--health-cmd',
        'false',
        '--health-interval',
        '1h',
        '--health-start-period',
        '1h',
        '--health-start-interval',
        '1s',
        'busybox',
        'sleep',
        '600',
      ])
    ).stdout.trim();
    expect((await agent.inspect(id)).Config.Healthcheck.StartInterval).toBe(1e9);
    // With an hourly interval only the start interval can bring a second check within the test.
    await waitFor(
      'two health checks',
      async () => (await agent.inspect(id)).State.Health?.Log?.length >= 2,
    );
  });

  it.each([['0s'], ['-1s'], ['soon']])('refuses %s naming the flag', async (v) => {
    refused(
      await run(['create', '--health-cmd', 'true', `--health-start-interval=${v}`, 'busybox']),
      '--health-start-interval',
    );
  });
});
