// The agent's files against a local unprivileged user (CVE-2021-41091's class): with a container
// running (an env value, a volume, an image layer holding a set-uid binary), user nobody can list
// or read nothing under the data and exec roots and cannot run the set-uid file. A data root left
// 0755 by an older version is closed again at the next start.
import { spawnSync } from 'node:child_process';
import { chmodSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildImage, busyboxLayer } from '../../harness/image-builder.js';
import { TestAgent, dockerArchive, testLayer, useTestAgent } from './harness.js';

const agent = new TestAgent();
// The harness's dir is a 0700 mkdtemp: opened up as /var/lib is, so only the agent's modes count.
chmodSync(agent.dir, 0o755);
useTestAgent(agent);

const SECRET = 'SECRET_TOKEN=s3cr3t-value-41091';
const modeOf = (p: string) => statSync(p).mode & 0o7777;

/**
 * Runs `args` as user and group nobody with no supplementary groups, through a shell: setpriv
 * still holds root's capabilities while it resolves the path of the program it execs (they are
 * dropped by that execve), so `setpriv -- /closed/dir/binary` would pass through 0700 dirs.
 */
function asNobody(args: string[]) {
  const r = spawnSync(
    'setpriv',
    [
      '--reuid=65534',
      '--regid=65534',
      '--clear-groups',
      '--',
      'sh',
      '-c',
      'exec "$@"',
      'sh',
      ...args,
    ],
    { cwd: '/', encoding: 'utf8' },
  );
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

function findFile(dir: string, name: string): string | undefined {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      const f = findFile(p, name);
      if (f) return f;
    } else if (e.name === name) return p;
  }
  return undefined;
}

describe('agent file modes', () => {
  it('keeps container filesystems, records, bundles, volumes and set-uid files from other users', async () => {
    const img = await buildImage({
      layers: [
        busyboxLayer(),
        testLayer(),
        [
          {
            type: 'file',
            path: 'bin/busybox-suid',
            content: readFileSync('/bin/busybox'),
            mode: 0o4755,
          },
        ],
      ],
      format: 'docker',
      compression: 'none',
      config: { Cmd: ['sh'] } as never,
    });
    await agent.cli(['rm', '-f', 'modes']); // a retried attempt starts clean
    const load = await agent.cli(['load'], await dockerArchive(img, 'suid:latest'));
    expect(load.status, load.stderr).toBe(0);
    const run = await agent.cli([
      'run',
      '-d',
      '--network',
      'none',
      '--name',
      'modes',
      '-e',
      SECRET,
      '-v',
      'modesvol:/data',
      'suid',
      'sleep',
      '300',
    ]);
    expect(run.status, run.stderr).toBe(0);
    const id = run.stdout.trim();

    // What is there, as root: the secret is on disk, the set-uid file is in a layer.
    const record = join(agent.dataRoot, 'containers', id, 'container.json');
    const bundle = join(agent.execRoot, 'b', id.slice(0, 16), 'config.json');
    const volume = join(agent.dataRoot, 'volumes', 'modesvol', '_data');
    const layers = join(agent.dataRoot, 'image', 'layers');
    const suid = findFile(layers, 'busybox-suid')!;
    expect(readFileSync(record, 'utf8')).toContain(SECRET);
    expect(readFileSync(bundle, 'utf8')).toContain(SECRET);
    expect(modeOf(suid)).toBe(0o4755);
    expect(readdirSync(volume)).toContain('seed.txt');

    expect(modeOf(agent.dataRoot)).toBe(0o710);
    expect(modeOf(agent.execRoot)).toBe(0o710);
    for (const d of ['containers', 'volumes', 'image', 'image/layers', 'image/snapshots'])
      expect([d, modeOf(join(agent.dataRoot, d))]).toEqual([d, 0o700]);
    expect(modeOf(join(agent.dataRoot, 'image', 'content'))).toBe(0o700);
    expect(modeOf(record)).toBe(0o600);
    expect(modeOf(bundle)).toBe(0o600);
    // conmon creates the log itself: whatever its mode, nothing for others (documented choice).
    expect(modeOf(join(agent.dataRoot, 'containers', id, 'ctr.log')) & 0o007).toBe(0);

    // As nobody: every attempt fails for want of permission.
    const attempts: [string, string[]][] = [
      ['list the data root', ['ls', agent.dataRoot]],
      ['list the layers', ['ls', layers]],
      ['list the container filesystem', ['ls', join(agent.dataRoot, 'image', 'snapshots', id)]],
      ['read the container record', ['cat', record]],
      ['read the bundle config.json', ['cat', bundle]],
      ['list the exec root', ['ls', agent.execRoot]],
      ['list a volume', ['ls', volume]],
      ['read a volume file', ['cat', join(volume, 'seed.txt')]],
      ['run the set-uid binary', [suid, 'id', '-u']],
    ];
    for (const [what, args] of attempts) {
      const r = asNobody(args);
      expect([what, r.status !== 0, r.out]).toEqual([
        what,
        true,
        expect.stringMatching(/Permission denied/),
      ]);
    }
    // The check itself works: nobody can list a directory open to all and run what is in it.
    expect(asNobody(['ls', agent.dir]).status).toBe(0);
    expect(asNobody(['/bin/busybox', 'true']).status).toBe(0);
  });

  it('closes a data root that an older version left 0755 at the next start', async () => {
    await agent.stop();
    chmodSync(agent.dataRoot, 0o755);
    chmodSync(join(agent.dataRoot, 'containers'), 0o755);
    chmodSync(join(agent.dataRoot, 'image'), 0o755);
    chmodSync(agent.execRoot, 0o755);
    await agent.start();
    expect(modeOf(agent.dataRoot)).toBe(0o710);
    expect(modeOf(join(agent.dataRoot, 'containers'))).toBe(0o700);
    expect(modeOf(join(agent.dataRoot, 'image'))).toBe(0o700);
    expect(modeOf(agent.execRoot)).toBe(0o710);
    expect(asNobody(['ls', agent.dataRoot]).status).not.toBe(0);
  });
});
