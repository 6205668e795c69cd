// Volumes and mounts through the CLI against a real agent: the volume verbs, a named volume seeded
// from the image on first use and shared by two containers, bind mounts (rw and ro), the --mount
// long syntax for bind, volume and tmpfs, and refusing to remove a volume in use.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { TestAgent, useTestAgent } from './harness.js';

const agent = new TestAgent();
const run = (args: string[], input?: string) => agent.cli(args, input);
const none = ['--network', 'none'];
const hostDir = mkdtempSync('/tmp/flt-it-bind-');

useTestAgent(agent);
afterEach(() => agent.removeAll());
afterAll(() => rmSync(hostDir, { recursive: true, force: true }));

const sh = (flags: string[], script: string) =>
  run(['run', '--rm', ...none, ...flags, 'busybox', 'sh', '-c', script]);
const volumes = async () =>
  (await run(['volume', 'ls', '-q'])).stdout.split('\n').filter(Boolean).sort();

describe('volume verbs', () => {
  it('creates, lists, inspects and removes a volume', async () => {
    const c = await run(['volume', 'create', '-l', 'owner=tests', 'vol1']);
    expect(c.stdout).toBe('vol1\n');
    expect(c.status).toBe(0);
    expect(await volumes()).toEqual(['vol1']);
    const table = await run(['volume', 'ls']);
    expect(table.stdout).toMatch(/^DRIVER\s+VOLUME NAME\nlocal\s+vol1\n$/);
    const [v] = JSON.parse((await run(['volume', 'inspect', 'vol1'])).stdout) as Record<
      string,
      any
    >[];
    expect(v).toMatchObject({
      Name: 'vol1',
      Driver: 'local',
      Labels: { owner: 'tests' },
      Mountpoint: join(agent.dataRoot, 'volumes', 'vol1', '_data'),
    });
    expect(existsSync(v.Mountpoint)).toBe(true);
    // Created again: Docker answers with the same volume, not an error.
    expect((await run(['volume', 'create', 'vol1'])).status).toBe(0);
    const rm = await run(['volume', 'rm', 'vol1']);
    expect(rm.stdout).toBe('vol1\n');
    expect(await volumes()).toEqual([]);
    expect(existsSync(v.Mountpoint)).toBe(false);
    const missing = await run(['volume', 'inspect', 'vol1']);
    expect(missing.status).toBe(1);
    expect(missing.stderr.split('\n')[0]).toMatch(/^Error: .*no such volume.*vol1/i);
  });

  it('an unnamed volume create gets a generated name', async () => {
    const r = await run(['volume', 'create']);
    expect(r.stdout).toMatch(/^[0-9a-f]{64}\n$/);
    expect(await volumes()).toEqual([r.stdout.trim()]);
    await run(['volume', 'rm', r.stdout.trim()]);
  });
});

describe('named volumes', () => {
  it('seeds an empty volume from the image, shares it, mounts it read-only, refuses rm in use', async () => {
    // /data in the test image holds seed.txt: the first use copies it into the new volume.
    const first = await sh(['-v', 'shared:/data'], 'cat /data/seed.txt');
    expect(first.stdout).toBe('seeded\n');
    expect(await volumes()).toEqual(['shared']);

    const writer = await run([
      'run',
      '-d',
      ...none,
      '--name',
      'writer',
      '-v',
      'shared:/data',
      'busybox',
      'sh',
      '-c',
      'echo from-writer >> /data/seed.txt; sleep 600',
    ]);
    expect(writer.status).toBe(0);
    const reader = await sh(
      ['-v', 'shared:/data:ro'],
      'while ! grep -q from-writer /data/seed.txt; do sleep 0.1; done; cat /data/seed.txt; ' +
        'touch /data/x 2>&1; echo rc=$?',
    );
    const lines = reader.stdout.trim().split('\n');
    expect(lines.slice(0, 2)).toEqual(['seeded', 'from-writer']);
    expect(lines[2]).toMatch(/Read-only file system/);
    expect(lines[3]).toBe('rc=1');

    // Not seeded again once it has content: the image's copy does not come back.
    await sh(['-v', 'shared:/data'], 'rm /data/seed.txt; echo mine > /data/own.txt');
    expect((await sh(['-v', 'shared:/data'], 'ls /data')).stdout).toBe('own.txt\n');

    const busy = await run(['volume', 'rm', 'shared']);
    expect(busy.status).toBe(1);
    expect(busy.stderr.split('\n')[0]).toMatch(/^Error: .*shared.*in use/);
    expect(await volumes()).toEqual(['shared']);
    expect((await run(['rm', '-f', 'writer'])).status).toBe(0);
    expect((await run(['volume', 'rm', 'shared'])).status).toBe(0);
    expect(await volumes()).toEqual([]);
  });
});

describe('bind and tmpfs mounts', () => {
  it('-v /host:/ctr writes through; :ro refuses writes', async () => {
    writeFileSync(join(hostDir, 'in.txt'), 'from-host\n');
    const rw = await sh(['-v', `${hostDir}:/h`], 'cat /h/in.txt; echo from-ctr > /h/out.txt');
    expect(rw.stdout).toBe('from-host\n');
    expect(readFileSync(join(hostDir, 'out.txt'), 'utf8')).toBe('from-ctr\n');
    const ro = await sh(['-v', `${hostDir}:/h:ro`], 'cat /h/in.txt; touch /h/x 2>&1; echo rc=$?');
    expect(ro.stdout).toMatch(/^from-host\n.*Read-only file system\nrc=1\n$/);
    expect(existsSync(join(hostDir, 'x'))).toBe(false);
  });

  it('--mount type=bind|volume|tmpfs with the long syntax', async () => {
    writeFileSync(join(hostDir, 'long.txt'), 'long-syntax\n');
    const r = await run([
      'run',
      ...none,
      '--name',
      'longmnt',
      '--mount',
      `type=bind,source=${hostDir},target=/b,readonly`,
      '--mount',
      'type=volume,src=longvol,dst=/data',
      '--mount',
      'type=tmpfs,destination=/t,tmpfs-size=1m',
      'busybox',
      'sh',
      '-c',
      'cat /b/long.txt; touch /b/y 2>&1 || echo bind-ro; cat /data/seed.txt; ' +
        'grep " /t " /proc/mounts',
    ]);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe('long-syntax');
    expect(lines.at(-3)).toBe('bind-ro');
    expect(lines.at(-2)).toBe('seeded');
    expect(lines.at(-1)).toMatch(/^tmpfs \/t tmpfs rw,.*size=1024k/);
    const mounts = (await agent.inspect('longmnt')).Mounts as Record<string, unknown>[];
    const byDst = Object.fromEntries(mounts.map((m) => [m.Destination, m]));
    expect(byDst['/b']).toMatchObject({ Type: 'bind', Source: hostDir, RW: false });
    expect(byDst['/data']).toMatchObject({ Type: 'volume', Name: 'longvol', RW: true });
    expect(await volumes()).toEqual(['longvol']);
    await run(['rm', '-v', 'longmnt']);
    // Named volumes outlive rm -v.
    expect(await volumes()).toEqual(['longvol']);
    await run(['volume', 'rm', 'longvol']);
  });

  it('--mount type=bind refuses a missing host path; -v creates it', async () => {
    const before = agent.ids();
    const r = await sh(['--mount', `type=bind,src=${hostDir}/nope,dst=/n`], 'true');
    expect(r.status).toBe(125);
    expect(r.stderr.split('\n')[0]).toBe(
      `Error: invalid mount "${hostDir}/nope:/n": bind source path does not exist`,
    );
    expect(agent.ids()).toEqual(before);
    expect(existsSync(join(hostDir, 'nope'))).toBe(false);
    const made = await sh(['-v', `${hostDir}/made:/n`], 'echo x > /n/f');
    expect(made.status).toBe(0);
    expect(readFileSync(join(hostDir, 'made', 'f'), 'utf8')).toBe('x\n');
  });
});
