// Docker's verbs that Flotilla gained for issue 15 (diff, version, info, container ls), typed into
// `flotilla` and into the docker CLI on the agent's socket: the same outcome from both.
import { beforeEach, describe, expect, it } from 'vitest';
import { TestAgent, useTestAgent, waitFor, type CliResult } from '../runtime/harness.js';
import { dockerCli } from './docker-client.js';

const agent = new TestAgent();
useTestAgent(agent);
// Every case (and every attempt of a retried one) starts with no containers and no volumes: the
// names are fixed, and `ps`/`volume ls` assert on everything the agent has.
beforeEach(() => agent.removeAll());
let docker: ReturnType<typeof dockerCli> | undefined;
const clients: [string, (args: string[]) => Promise<CliResult>][] = [
  ['flotilla', (args) => agent.cli(args)],
  ['docker', (args) => (docker ??= dockerCli(agent))(args)],
];

describe.each(clients)('%s', (name, run) => {
  it('diff lists what a container added, changed and deleted', async () => {
    const c = `diff-${name}`;
    const r = await run([
      'run',
      '--name',
      c,
      '--network',
      'none',
      'busybox',
      'sh',
      '-c',
      'mkdir -p /tmp/d && echo x > /tmp/d/new && echo y >> /data/seed.txt && rm /www/index.html',
    ]);
    expect(r.status, r.stderr).toBe(0);
    const diff = await run(['diff', c]);
    expect(diff.stderr).toBe('');
    expect(diff.stdout).toBe(
      [
        'C /data/seed.txt',
        'C /tmp',
        'A /tmp/d',
        'A /tmp/d/new',
        'C /www',
        'D /www/index.html',
        '',
      ].join('\n'),
    );
    expect((await run(['diff', 'nothere'])).status).toBe(1);
    expect((await run(['rm', c])).status).toBe(0);
  });

  it('version and info show the agent', async () => {
    // The docker CLI's template sees Go's field (APIVersion), not the JSON name (ApiVersion).
    const v = await run(['version', '--format', '{{.Server.Version}} {{.Server.APIVersion}}']);
    expect(v.stderr).toBe('');
    expect(v.stdout).toBe('0.1.0 1.50\n');
    const text = await run(['version']);
    expect(text.stdout).toMatch(/^Client:/);
    expect(text.stdout).toMatch(/\n {2}API version: +1\.50 \(minimum version 1\.41\)\n/);
    for (const args of [['info'], ['system', 'info']]) {
      const i = await run([...args, '--format', '{{.ServerVersion}} {{.OSType}} {{.Images}}']);
      expect(i.stdout).toBe('0.1.0 linux 1\n');
    }
    const info = await run(['info']);
    expect(info.stdout).toMatch(/\n Server Version: 0\.1\.0\n/);
    expect(info.stdout).toMatch(/\n Storage Driver: overlay\n/);
  });

  it('container ls and container list are ps', async () => {
    const c = `ls-${name}`;
    expect(
      (await run(['run', '-d', '--name', c, '--network', 'none', 'busybox', 'sleep', '300']))
        .status,
    ).toBe(0);
    for (const verb of ['ls', 'list', 'ps'])
      expect((await run(['container', verb, '--format', '{{.Names}}'])).stdout).toBe(`${c}\n`);
    expect((await run(['rm', '-f', c])).status).toBe(0);
  });

  it('volume prune removes unused anonymous volumes, and with -a every unused one', async () => {
    const named = `keep-${name}`;
    const used = `used-${name}`;
    expect((await run(['volume', 'create', named])).status).toBe(0);
    const holder = `vol-${name}`;
    const h = await run([
      'run',
      '-d',
      '--name',
      holder,
      '--network',
      'none',
      '--mount',
      `type=volume,src=${used},dst=/u`,
      'busybox',
      'sleep',
      '300',
    ]);
    expect(h.status, h.stderr).toBe(0);
    // An anonymous volume whose container is gone (rm without -v keeps it, as Docker does).
    const anon = await run([
      'run',
      '--name',
      `anon-${name}`,
      '--network',
      'none',
      '--mount',
      'type=volume,dst=/scratch',
      'busybox',
      'true',
    ]);
    expect(anon.status, anon.stderr).toBe(0);
    const anonName = ((
      await run(['inspect', '-f', '{{json .Mounts}}', `anon-${name}`])
    ).stdout.match(/[0-9a-f]{64}/) ?? [''])[0];
    expect(anonName).toMatch(/^[0-9a-f]{64}$/);
    expect((await run(['rm', `anon-${name}`])).status).toBe(0);

    const pruned = await run(['volume', 'prune', '-f']);
    expect(pruned.stderr).toBe('');
    expect(pruned.stdout).toBe(`Deleted Volumes:\n${anonName}\n\nTotal reclaimed space: 0B\n`);
    expect((await run(['volume', 'create', '--label', 'tmp=yes', `lab-${name}`])).status).toBe(0);
    const byLabel = await run(['volume', 'prune', '-a', '-f', '--filter', 'label=tmp=yes']);
    expect(byLabel.stdout).toBe(`Deleted Volumes:\nlab-${name}\n\nTotal reclaimed space: 0B\n`);
    const all = await run(['volume', 'prune', '-a', '-f']);
    expect(all.stdout).toBe(`Deleted Volumes:\n${named}\n\nTotal reclaimed space: 0B\n`);
    const left = await run(['volume', 'ls', '-q']);
    expect(left.stdout).toBe(`${used}\n`);
    expect((await run(['rm', '-f', holder])).status).toBe(0);
    expect((await run(['volume', 'rm', used])).status).toBe(0);
  });

  it('ps --filter with health, expose, volume, network, since and is-task', async () => {
    const web = `f-web-${name}`;
    const job = `f-job-${name}`;
    const ps = async (...f: string[]) =>
      (await run(['ps', '--all', ...f.flatMap((x) => ['--filter', x]), '--format', '{{.Names}}']))
        .stdout;
    const w = await run([
      'run',
      '-d',
      '--name',
      web,
      '-p',
      '127.0.0.1::80',
      '--mount',
      `type=volume,src=fvol-${name},dst=/data`,
      '--health-cmd',
      'true',
      '--health-interval',
      '1s',
      'busybox',
      'sleep',
      '300',
    ]);
    expect(w.status, w.stderr).toBe(0);
    expect((await run(['run', '--name', job, '--network', 'none', 'busybox', 'true'])).status).toBe(
      0,
    );
    await waitFor('healthy', async () => (await ps('health=healthy')) === `${web}\n`);
    expect(await ps('health=none')).toBe(`${job}\n`);
    expect(await ps('expose=80/tcp')).toBe(`${web}\n`);
    expect(await ps(`volume=fvol-${name}`)).toBe(`${web}\n`);
    expect(await ps('network=none')).toBe(`${job}\n`);
    expect(await ps(`since=${web}`)).toBe(`${job}\n`);
    expect(await ps(`before=${job}`)).toBe(`${web}\n`);
    expect((await ps('is-task=false')).split('\n').sort()).toEqual(['', job, web].sort());
    expect(await ps('is-task=true')).toBe('');
    expect((await run(['rm', '--force', '--volumes', web, job])).status).toBe(0);
    expect((await run(['volume', 'rm', `fvol-${name}`])).status).toBe(0);
  });
});
