// `system df` and `system prune` as a user types them, through `flotilla` and the docker CLI on the
// agent's socket: the docker CLI renders the agent's /system/df exactly as `flotilla system df`
// does, sizes come from what the containers and volumes really hold, and prune removes only the
// unused things, in Docker's order and words.
import { beforeEach, describe, expect, it } from 'vitest';
import { dockerCli } from '../engine-api/docker-client.js';
import { TestAgent, useTestAgent } from './harness.js';

const agent = new TestAgent();
const run = (args: string[], input?: string) => agent.cli(args, input);
useTestAgent(agent);
// Each case starts from an engine with only the busybox image (a retry too).
beforeEach(async () => {
  await agent.removeAll();
  await run(['network', 'rm', 'dfnet']);
  if (!(await run(['images', '-q'])).stdout.trim()) await agent.loadBusybox();
});

async function ok(args: string[]): Promise<string> {
  const r = await run(args);
  expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(0);
  return r.stdout;
}

describe('system df and system prune', () => {
  it('counts images, containers and volumes with their sizes; the docker CLI shows the same', async () => {
    // One running container with a named volume holding 5,000 bytes; one exited that wrote 20,000.
    await ok([
      'run',
      '-d',
      '--network',
      'none',
      '--name',
      'up',
      '-v',
      'dfvol:/vol',
      'busybox',
      'sh',
      '-c',
      'head -c 5000 /dev/zero > /vol/blob && exec sleep 600',
    ]);
    await ok([
      'run',
      '--network',
      'none',
      '--name',
      'done',
      'busybox',
      'sh',
      '-c',
      'head -c 20000 /dev/zero > /blob',
    ]);
    await ok([
      'run',
      '--rm',
      '--network',
      'none',
      '-v',
      'dfvol:/vol',
      'busybox',
      'test',
      '-s',
      '/vol/blob',
    ]);

    const rows = (await ok(['system', 'df', '--format', '{{json .}}']))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, string | number>);
    expect(rows.map((r) => [r.Type, r.TotalCount, r.Active])).toEqual([
      ['Images', 1, 1],
      ['Containers', 2, 1],
      ['Local Volumes', 1, 1],
      ['Build Cache', 0, 0],
    ]);
    // The exited container's 20,000 bytes are all reclaimable; the volume is in use.
    expect(rows[1].Size).toBe('20kB');
    expect(rows[1].Reclaimable).toBe('20kB (100%)');
    expect(rows[2]).toMatchObject({ Size: '5kB', Reclaimable: '0B (0%)' });

    const table = await ok(['system', 'df']);
    expect(table.split('\n')[0]).toBe('TYPE            TOTAL     ACTIVE    SIZE      RECLAIMABLE');
    const docker = await dockerCli(agent)(['system', 'df']);
    expect(docker.stderr).toBe('');
    expect(docker.stdout).toBe(table);

    const v = await ok(['system', 'df', '-v']);
    expect(v).toMatch(/^Images space usage:\n/);
    expect(v).toMatch(/\ndfvol\s+1\s+5kB\n/);
    expect(v).toMatch(/\n[0-9a-f]{12}\s+busybox\s+"[^"]+"\s+20kB\s+Exited \(0\)/);
  });

  it('prunes stopped containers, unused networks, anonymous volumes and images, as asked', async () => {
    await ok(['network', 'create', 'dfnet']);
    await ok(['volume', 'create', 'dfvol']);
    await ok(['run', '--network', 'none', '--name', 'done', 'busybox', 'true']);
    await ok([
      'run',
      '-d',
      '--network',
      'none',
      '--name',
      'keeper',
      '-v',
      '/anon',
      'busybox',
      'sleep',
      '600',
    ]);
    const doneId = (await ok(['inspect', '-f', '{{.Id}}', 'done'])).trim();

    // Without -f: Docker's prompt; "n" removes nothing.
    const asked = await run(['system', 'prune'], 'n\n');
    expect(asked.stdout).toBe(
      'WARNING! This will remove:\n' +
        '  - all stopped containers\n' +
        '  - all networks not used by at least one container\n' +
        '  - all dangling images\n' +
        '\nAre you sure you want to continue? [y/N] ',
    );
    expect(await ok(['ps', '-a', '-q', '--no-trunc'])).toContain(doneId);

    const pruned = await ok(['system', 'prune', '-f']);
    expect(pruned).toBe(
      `Deleted Containers:\n${doneId}\n\nDeleted Networks:\ndfnet\n\nTotal reclaimed space: 0B\n`,
    );
    expect((await ok(['ps', '-a', '--format', '{{.Names}}'])).trim()).toBe('keeper');
    expect((await ok(['network', 'ls', '--format', '{{.Name}}'])).split('\n')).not.toContain(
      'dfnet',
    );

    // The docker CLI's prune (containers, networks, images, build cache) runs and keeps the rest.
    const docker = await dockerCli(agent)(['system', 'prune', '-f']);
    expect(docker.stderr).toBe('');
    expect(docker.stdout).toBe('Total reclaimed space: 0B\n');

    // With -a --volumes once nothing uses them: the anonymous volume and the image go; dfvol is
    // named, and stays (Docker prunes only anonymous volumes).
    await ok(['rm', '-f', 'keeper']);
    const all = await ok(['system', 'prune', '-a', '--volumes', '-f']);
    expect(all).toMatch(
      /^Deleted Volumes:\n[0-9a-f]{64}\n\nDeleted Images:\nuntagged: busybox:latest\n(deleted: sha256:[0-9a-f]{64}\n)+\nTotal reclaimed space: [1-9][0-9.]*[kMG]?B\n$/,
    );
    expect(all).toContain('untagged: busybox:latest');
    expect(all).toMatch(/Total reclaimed space: \d/);
    expect((await ok(['volume', 'ls', '-q'])).trim()).toBe('dfvol');
    expect((await ok(['images', '-q'])).trim()).toBe('');
  });
});
