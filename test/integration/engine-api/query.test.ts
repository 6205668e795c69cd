// The query verbs (ps -n/-l/-s, images --filter, logs --details, inspect --type, events for
// images, volumes and networks), typed into `flotilla` and into the docker CLI on the agent's
// socket: one agent implementation answers both, so both must print the same.
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { uploadImage } from '../image/helpers.js';
import {
  busyboxImage,
  dockerArchive,
  TestAgent,
  useTestAgent,
  type CliResult,
} from '../runtime/harness.js';
import { dockerCli } from './docker-client.js';

let registry: RunningRegistry | undefined;
const agent = new TestAgent();
useTestAgent(agent, async () => {
  await registry?.stop();
});
let docker: ReturnType<typeof dockerCli> | undefined;
const clients: [string, (args: string[]) => Promise<CliResult>][] = [
  ['flotilla', (args) => agent.cli(args)],
  ['docker', (args) => (docker ??= dockerCli(agent))(args)],
];
const ok = async (r: Promise<CliResult>): Promise<CliResult> => {
  const res = await r;
  expect(res.status, `${res.stderr}${res.stdout}`).toBe(0);
  return res;
};
const load = async (config: object, tag: string) =>
  ok(agent.cli(['load'], await dockerArchive(await busyboxImage(config), tag)));
const lines = (s: string) => s.split('\n').filter(Boolean).sort();

describe.each(clients)('%s', (name, run) => {
  it('ps -n, -l and -s: the last created containers of every state, with their sizes', async () => {
    await agent.removeAll();
    const p = `q-${name}`;
    await ok(run(['run', '--name', `${p}-a`, '--network', 'none', 'busybox', 'true']));
    await ok(
      run(['run', '-d', '--name', `${p}-b`, '--network', 'none', 'busybox', 'sleep', '300']),
    );
    await ok(
      run(['run', '--name', `${p}-c`, '--network', 'none', 'busybox', 'sh', '-c', 'echo hi > /f']),
    );
    expect((await run(['ps', '--format', '{{.Names}}'])).stdout).toBe(`${p}-b\n`);
    expect((await run(['ps', '-n', '2', '--format', '{{.Names}}'])).stdout).toBe(
      `${p}-c\n${p}-b\n`,
    );
    expect((await run(['ps', '--last', '3', '--format', '{{.Names}}'])).stdout).toBe(
      `${p}-c\n${p}-b\n${p}-a\n`,
    );
    expect((await run(['ps', '-l', '--format', '{{.Names}}'])).stdout).toBe(`${p}-c\n`);
    const id = (await run(['inspect', '--format', '{{.Id}}', `${p}-c`])).stdout.trim();
    expect((await run(['ps', '--latest', '-q'])).stdout).toBe(`${id.slice(0, 12)}\n`);
    // Docker's SIZE: what the container wrote, and the virtual size with its image.
    const table = (await ok(run(['ps', '-a', '-s', '--filter', `name=${p}-c`]))).stdout.split('\n');
    expect(table[0]).toMatch(/ NAMES +SIZE$/);
    expect(table[1]).toMatch(new RegExp(` ${p}-c +\\d+B \\(virtual \\d+(\\.\\d+)?MB\\)$`));
    const sized = await ok(run(['ps', '-l', '-s', '--format', '{{.Size}}']));
    expect(sized.stdout).toMatch(/^\d+B \(virtual \d+(\.\d+)?MB\)\n$/);
    // A template that reads .Size asks for the sizes without -s, as the docker CLI does.
    const implied = await ok(run(['ps', '-l', '--format', '{{.Size}}']));
    expect(implied.stdout).toMatch(/^\d+B \(virtual \d+(\.\d+)?MB\)\n$/);
    const bad = await run(['ps', '-n', 'x']);
    expect(bad.status).toBe(125);
    const unknown = await run(['ps', '--filter', 'color=red']);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain("invalid filter 'color'");
    await agent.removeAll();
  });

  it('images --filter: dangling, label, before, since, reference; an unknown filter is refused', async () => {
    await load({ Cmd: ['sh'], Labels: { who: name, tier: 'db' } }, `lab-${name}:1`);
    // The second image takes the tag: the first is left dangling.
    await load({ Cmd: ['true'], Labels: { who: name } }, `dang-${name}:1`);
    await load({ Cmd: ['false'], Labels: { who: name } }, `dang-${name}:1`);
    await ok(run(['run', '--name', `src-${name}`, '--network', 'none', 'busybox', 'true']));
    await ok(run(['commit', `src-${name}`, `new-${name}:1`]));
    await ok(run(['rm', `src-${name}`]));
    const images = async (...filters: string[]) =>
      (
        await ok(
          run([
            'images',
            ...filters.flatMap((f) => ['--filter', f]),
            '--format',
            '{{.Repository}}:{{.Tag}}',
          ]),
        )
      ).stdout;
    expect(lines(await images(`label=who=${name}`))).toEqual(
      [`<none>:<none>`, `dang-${name}:1`, `lab-${name}:1`].sort(),
    );
    expect(await images(`label=who=${name}`, 'label=tier=db')).toBe(`lab-${name}:1\n`);
    expect(await images(`label=who=${name}`, 'label=tier')).toBe(`lab-${name}:1\n`);
    expect(await images(`label=who=${name}`, 'dangling=true')).toBe('<none>:<none>\n');
    expect(lines(await images(`label=who=${name}`, 'dangling=false'))).toEqual(
      [`dang-${name}:1`, `lab-${name}:1`].sort(),
    );
    expect(await images(`reference=lab-${name}`)).toBe(`lab-${name}:1\n`);
    expect(lines(await images(`reference=*-${name}:1`))).toEqual(
      [`dang-${name}:1`, `lab-${name}:1`, `new-${name}:1`].sort(),
    );
    // The committed image is newer than the loaded ones.
    expect(await images('since=busybox', `reference=*-${name}`)).toBe(`new-${name}:1\n`);
    expect(lines(await images(`before=new-${name}:1`, `reference=*-${name}`))).toEqual(
      [`dang-${name}:1`, `lab-${name}:1`].sort(),
    );
    const unknown = await run(['images', '--filter', 'color=red']);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain("invalid filter 'color'");
    const dangling = await run(['images', '--filter', 'dangling=maybe']);
    expect(dangling.status).toBe(1);
    expect(dangling.stderr).toContain("invalid filter 'dangling=maybe'");
  });

  it('logs --details prints the attributes of --log-opt labels/env/tag before each line', async () => {
    const c = `det-${name}`;
    await ok(
      run([
        'run',
        '--name',
        c,
        '--network',
        'none',
        '--label',
        'tier=web',
        '--env',
        'REGION=eu west',
        '--log-opt',
        'labels=tier',
        '--log-opt',
        'env=REGION',
        '--log-opt',
        'tag={{.Name}}',
        'busybox',
        'sh',
        '-c',
        'echo one; echo two',
      ]),
    );
    const d = await ok(run(['logs', '--details', c]));
    expect(d.stdout).toBe(
      `REGION=eu+west,tag=${c},tier=web one\nREGION=eu+west,tag=${c},tier=web two\n`,
    );
    const t = await ok(run(['logs', '--details', '-t', c]));
    expect(t.stdout).toMatch(
      new RegExp(`^\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z REGION=eu\\+west,tag=${c},tier=web one\\n`),
    );
    expect((await ok(run(['logs', c]))).stdout).toBe('one\ntwo\n');
    const plain = `plain-${name}`;
    await ok(run(['run', '--name', plain, '--network', 'none', 'busybox', 'echo', 'x']));
    // No attributes: Docker still puts the separating space.
    expect((await ok(run(['logs', '--details', plain]))).stdout).toBe(' x\n');
    await ok(run(['rm', c, plain]));
  });
});

describe('inspect (flotilla)', () => {
  it('inspects any object type by name, in Docker’s order, and with --type only that type', async () => {
    await agent.removeAll();
    const cli = (args: string[]) => agent.cli(args);
    await ok(cli(['volume', 'create', 'iq-vol']));
    await ok(cli(['network', 'create', 'iq-net']));
    await ok(cli(['volume', 'create', 'iq-same']));
    await ok(
      cli(['run', '-d', '--name', 'iq-same', '--network', 'none', 'busybox', 'sleep', '60']),
    );
    const one = async (ref: string, ...flags: string[]) => {
      const r = await ok(cli(['inspect', ...flags, ref]));
      return (JSON.parse(r.stdout) as Record<string, any>[])[0];
    };
    expect((await one('iq-vol')).Driver).toBe('local');
    expect((await one('iq-net')).name).toBe('iq-net');
    expect((await one('busybox')).RepoTags).toContain('busybox:latest');
    // A container and a volume of one name: the container first, the volume with --type.
    expect((await one('iq-same')).State.Running).toBe(true);
    expect((await one('iq-same', '--type', 'volume')).Name).toBe('iq-same');
    expect((await one('iq-same', '--type', 'container')).Name).toBe('/iq-same');
    expect((await one('iq-net', '--type', 'network')).driver).toBe('bridge');
    expect(
      (await ok(cli(['inspect', '--type', 'image', '-f', '{{.Id}}', 'busybox']))).stdout,
    ).toMatch(/^sha256:[0-9a-f]{64}\n$/);
    const wrongType = await cli(['inspect', '--type', 'volume', 'iq-net']);
    expect(wrongType.status).toBe(1);
    expect(wrongType.stderr).toBe('Error: No such volume: iq-net\n');
    const missing = await cli(['inspect', 'iq-vol', 'nothere']);
    expect(missing.status).toBe(1);
    expect(JSON.parse(missing.stdout)).toHaveLength(1);
    expect(missing.stderr).toBe('Error: No such object: nothere\n');
    const none = await cli(['inspect', 'nothere']);
    expect(none.stdout).toBe('[]\n');
    expect((await cli(['inspect', '--type', 'plugin', 'x'])).status).toBe(125);
    await agent.removeAll();
    await ok(cli(['network', 'rm', 'iq-net']));
  });
});

describe('events for images, volumes and networks', () => {
  it('replays image, volume and network events with --since/--until and --filter, to both clients', async () => {
    await agent.removeAll();
    registry = await startRegistry();
    const host = registry.host;
    const busybox = await busyboxImage({ Cmd: ['echo', 'p'] });
    await uploadImage(host, 'q/pulled', '1', busybox);
    const cli = (args: string[], input?: Buffer) => ok(agent.cli(args, input));
    const since = (Date.now() / 1000 - 0.001).toFixed(3);
    await cli(['pull', `${host}/q/pulled:1`]);
    await cli(['tag', 'busybox', 'ev:1']);
    await cli(['rmi', 'ev:1']);
    const dir = mkdtempSync('/tmp/flt-q-');
    await cli(['save', '-o', join(dir, 'b.tar'), 'busybox']);
    await cli(['load', '-i', join(dir, 'b.tar')]);
    await cli(['tag', 'busybox', `${host}/q/pushed:1`]);
    await cli(['push', `${host}/q/pushed:1`]);
    await cli(['rmi', `${host}/q/pushed:1`]);
    // A root filesystem tarball (the busybox layer) imported, then removed: untag and delete.
    await cli(['import', '-', 'ev-imported:1'], busybox.layers[0]!.bytes);
    await cli(['rmi', 'ev-imported:1']);
    await cli(['volume', 'create', 'ev-vol']);
    await cli(['network', 'create', 'ev-net']);
    await cli([
      'run',
      '--name',
      'ev-c',
      '--network',
      'ev-net',
      '-v',
      'ev-vol:/data',
      'busybox',
      'true',
    ]);
    await cli(['rm', 'ev-c']);
    await cli(['network', 'rm', 'ev-net']);
    await cli(['volume', 'rm', 'ev-vol']);
    const until = (Date.now() / 1000 + 0.001).toFixed(3);

    for (const [, run] of clients) {
      const events = async (format: string, ...filters: string[]) =>
        (
          await ok(
            run([
              'events',
              '--since',
              since,
              '--until',
              until,
              ...filters.flatMap((f) => ['--filter', f]),
              '--format',
              `{{.Type}} {{.Action}} ${format}`,
            ]),
          )
        ).stdout;
      const id = /^sha256:[0-9a-f]{64}$/;
      const imageEvents = (await events('{{.Actor.Attributes.name}}', 'type=image'))
        .split('\n')
        .filter(Boolean);
      const expected: (string | RegExp)[] = [
        `image pull ${host}/q/pulled`,
        'image tag ev:1',
        /^image untag /,
        /^image save /,
        /^image load /,
        `image tag ${host}/q/pushed:1`,
        `image push ${host}/q/pushed`,
        /^image untag /,
        /^image import /,
        /^image untag /,
        /^image delete /,
      ];
      expect(imageEvents).toHaveLength(expected.length);
      expected.forEach((e, i) =>
        typeof e === 'string' ? expect(imageEvents[i]).toBe(e) : expect(imageEvents[i]).toMatch(e),
      );
      for (const line of imageEvents.slice(2, 5)) expect(line.split(' ')[2]).toMatch(id);
      expect(await events('{{.Actor.ID}}', 'type=volume', 'volume=ev-vol')).toBe(
        'volume create ev-vol\nvolume mount ev-vol\nvolume unmount ev-vol\nvolume destroy ev-vol\n',
      );
      expect(await events('{{.Actor.Attributes.name}}', 'type=network', 'network=ev-net')).toBe(
        'network create ev-net\nnetwork connect ev-net\nnetwork disconnect ev-net\nnetwork destroy ev-net\n',
      );
      // Docker's message: scope local, the container in the attributes of a mount.
      const json = await ok(
        run([
          'events',
          '--since',
          since,
          '--until',
          until,
          '--filter',
          'event=mount',
          '--format',
          '{{json .}}',
        ]),
      );
      const mount = JSON.parse(json.stdout) as Record<string, any>;
      expect(mount).toMatchObject({
        Type: 'volume',
        Action: 'mount',
        scope: 'local',
        Actor: { ID: 'ev-vol', Attributes: { destination: '/data', driver: 'local' } },
      });
      expect(mount.Actor.Attributes.container).toMatch(/^[0-9a-f]{64}$/);
      expect(typeof mount.timeNano).toBe('number');
      const unknown = await run(['events', '--until', until, '--filter', 'color=red']);
      expect(unknown.status).toBe(1);
      expect(unknown.stderr).toContain("invalid filter 'color'");
    }
  });
});
