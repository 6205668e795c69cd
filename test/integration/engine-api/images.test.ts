// Every image verb of the Docker Engine API through the docker CLI 28 and docker-py 7.1 against a
// real agent and a real registry: push, save/load, import, commit, history, rmi, tag, login,
// search, the classic builder, image prune filters and image events. Each asserts what a user sees.
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { beforeEach, describe, expect, it } from 'vitest';
import { startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { TestAgent, useTestAgent } from '../runtime/harness.js';
import { dockerCli, dockerEnv, dockerPy } from './docker-client.js';

// A subnet of this file's own (a leftover 10.251.20.x bridge of another suite must not stop it).
const agent = new TestAgent([], '10.251.63.0/24');
let registry: RunningRegistry | undefined;
let authRegistry: RunningRegistry | undefined;
useTestAgent(agent, async () => {
  await registry?.stop();
  await authRegistry?.stop();
});
let cli: ReturnType<typeof dockerCli> | undefined;
const docker = (args: string[], input?: string) => (cli ??= dockerCli(agent))(args, input);
const py = (script: string) => dockerPy(agent)(script);
const tmp = () => mkdtempSync('/tmp/flt-imgapi-');
const good = { username: 'flotilla', password: 's3cret pass' };

async function ok(args: string[], input?: string): Promise<string> {
  const r = await docker(args, input);
  expect(r.status, `docker ${args.join(' ')}: ${r.stderr}`).toBe(0);
  return r.stdout;
}

const runOut = async (image: string, ...cmd: string[]) =>
  ok(['run', '--rm', '--network', 'none', image, ...cmd]);

// Fixed container names: every case (and retry) starts with none.
beforeEach(() => agent.removeAll());

describe('docker image verbs on the agent socket', () => {
  it('push streams Docker progress and the registry has the manifest', async () => {
    registry = await startRegistry();
    const ref = `${registry.host}/test/pushed:1`;
    await ok(['tag', 'busybox', ref]);
    const push = await docker(['push', ref]);
    expect(push.stderr).toBe('');
    expect(push.status).toBe(0);
    const m = /1: digest: (sha256:[0-9a-f]{64}) size: (\d+)/.exec(push.stdout);
    expect(m, push.stdout).not.toBeNull();
    const res = await fetch(`${registry.url}/v2/test/pushed/manifests/1`, {
      headers: { accept: 'application/vnd.docker.distribution.manifest.v2+json' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('docker-content-digest')).toBe(m![1]);
    expect(Number(m![2])).toBe((await res.arrayBuffer()).byteLength);
    // docker-py's raw stream: Docker's status lines, and the aux digest.
    const r = await py(`
lines = list(client.api.push('${registry.host}/test/pushed', tag='1', stream=True, decode=True))
print(any(l.get('status') == 'Pushing' or l.get('status') == 'Layer already exists' for l in lines))
print([l['aux']['Digest'] for l in lines if 'aux' in l] == ['${m![1]}'])
`);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('True\nTrue\n');
    // A failure is Docker's errorDetail line: the CLI prints it and exits 1.
    const bad = await docker(['push', 'nothere:1']);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/No such image|does not exist/);
  });

  it('save and load round-trip an image with the load stream, -q and docker-py', async () => {
    await ok(['tag', 'busybox', 'saved:1']);
    const dir = tmp();
    const file = join(dir, 'saved.tar');
    await ok(['save', '-o', file, 'saved:1']);
    expect(readFileSync(file).length).toBeGreaterThan(10_000);
    await ok(['rmi', 'saved:1']);
    const load = await docker(['load', '-i', file]);
    expect(load.stderr).toBe('');
    expect(load.stdout).toBe('Loaded image: saved:1\n');
    expect(await runOut('saved:1', 'echo', 'loaded')).toBe('loaded\n');
    await ok(['rmi', 'saved:1']);
    const quiet = await docker(['load', '-q', '-i', file]);
    expect(quiet.stdout).toBe('Loaded image: saved:1\n');
    await ok(['rmi', 'saved:1']);
    const r = await py(`
with open('${file}', 'rb') as f:
    imgs = client.images.load(f.read())
print('saved:1' in [t for i in imgs for t in i.tags])
`);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('True\n');
    expect(await runOut('saved:1', 'echo', 'py')).toBe('py\n');
  });

  it('import makes an image of a rootfs tar with changes and a message', async () => {
    const dir = tmp();
    await ok(['save', '-o', join(dir, 'bb.tar'), 'busybox']);
    execFileSync('tar', ['-xf', join(dir, 'bb.tar'), '-C', dir]);
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as {
      Layers: string[];
    }[];
    const layer = join(dir, manifest[0].Layers[0]);
    const id = await ok([
      'import',
      '--change',
      'CMD ["echo", "imported"]',
      '--change',
      'ENV A=b',
      '-m',
      'from a tar',
      layer,
      'imported:1',
    ]);
    expect(id).toMatch(/^sha256:[0-9a-f]{64}\n$/);
    expect(await runOut('imported:1')).toBe('imported\n');
    const env = await ok(['image', 'inspect', '-f', '{{json .Config.Env}}', 'imported:1']);
    expect(env).toContain('A=b');
    const hist = await ok(['history', '--format', '{{.Comment}}', 'imported:1']);
    expect(hist).toBe('from a tar\n');
    // From stdin, as `cat rootfs.tar | docker import - name`.
    execFileSync('sh', ['-c', `docker import - imported:2 < '${layer}'`], {
      env: dockerEnv(agent),
    });
    expect(await ok(['image', 'inspect', '-f', '{{.Config.Cmd}}', 'imported:2'])).toBe('[]\n');
    // `flotilla import --change` is the same ImageService import.
    const flt = await agent.cli([
      'import',
      '--change',
      'CMD ["echo", "flotilla-imported"]',
      '-m',
      'by flotilla',
      layer,
      'imported:4',
    ]);
    expect(flt.status, flt.stderr).toBe(0);
    expect(await runOut('imported:4')).toBe('flotilla-imported\n');
    // A change that is not metadata is refused by name.
    const bad = await docker(['import', '--change', 'RUN true', layer, 'imported:3']);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('RUN is not a valid change command');
  });

  it('commit records a container as an image with changes, comment and author', async () => {
    await ok([
      'run',
      '--name',
      'tocommit',
      '--network',
      'none',
      'busybox',
      'sh',
      '-c',
      'echo committed > /marker',
    ]);
    const id = await ok([
      'commit',
      '-c',
      'CMD ["cat", "/marker"]',
      '-m',
      'a message',
      '-a',
      'Ann <ann@example.org>',
      'tocommit',
      'committed:1',
    ]);
    expect(id).toMatch(/^sha256:[0-9a-f]{64}\n$/);
    expect(await runOut('committed:1')).toBe('committed\n');
    const author = await ok(['image', 'inspect', '-f', '{{.Author}} {{.Comment}}', 'committed:1']);
    expect(author).toBe('Ann <ann@example.org> a message\n');
    await ok(['rm', 'tocommit']);
  });

  it('history, tag and rmi with Docker conflicts', async () => {
    // An image of its own (busybox has other names): made by commit of a fresh container.
    await ok(['create', '--name', 'src', '--network', 'none', 'busybox', 'true']);
    await ok(['commit', '-m', 'solo', 'src', 'solo:1']);
    await ok(['rm', 'src']);
    const hist = await ok(['history', '--no-trunc', '--format', '{{.ID}} {{.Comment}}', 'solo:1']);
    expect(hist.split('\n')[0]).toMatch(/^sha256:[0-9a-f]{64} solo$/);
    await ok(['tag', 'solo:1', 'solo:2']);
    await ok(['create', '--name', 'user', '--network', 'none', 'solo:1', 'true']);
    // Untagging one of several names is fine; the image stays.
    expect(await ok(['rmi', 'solo:2'])).toBe('Untagged: solo:2\n');
    const conflict = await docker(['rmi', 'solo:1']);
    expect(conflict.status).toBe(1);
    expect(conflict.stderr).toMatch(
      /conflict: unable to remove repository reference "solo:1" \(must force\) - container [0-9a-f]{12} is using its referenced image [0-9a-f]{12}/,
    );
    const r = await py(`
try:
    client.images.remove('solo:1')
except docker.errors.APIError as e:
    print(e.status_code)
`);
    expect(r.stdout).toBe('409\n');
    // Forced while in use: untagged, the image stays for its container (Docker's rule).
    expect(await ok(['rmi', '-f', 'solo:1'])).toBe('Untagged: solo:1\n');
    expect(await ok(['start', '-a', 'user'])).toBe('');
    await ok(['rm', 'user']);
  });

  it('login against a registry with basic auth, and push with the saved credentials', async () => {
    authRegistry = await startRegistry({ auth: good });
    const wrong = await docker(['login', '-u', 'flotilla', '-p', 'wrong', authRegistry.host]);
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toMatch(/unauthorized|401/i);
    const login = await docker([
      'login',
      '-u',
      good.username,
      '-p',
      good.password,
      authRegistry.host,
    ]);
    expect(login.stdout).toContain('Login Succeeded');
    expect(login.status).toBe(0);
    const ref = `${authRegistry.host}/private/bb:1`;
    expect((await docker(['tag', 'busybox', ref])).status).toBe(0);
    const push = await docker(['push', ref]);
    expect(push.stderr).toBe('');
    expect(push.stdout).toMatch(/1: digest: sha256:[0-9a-f]{64} size: \d+/);
    const r = await py(`
print(client.login('${good.username}', '${good.password}', registry='${authRegistry.host}')['Status'])
`);
    expect(r.stdout).toBe('Login Succeeded\n');
  });

  it('search lists the registry repositories', async () => {
    registry ??= await startRegistry();
    await ok(['tag', 'busybox', `${registry.host}/find/me:1`]);
    await ok(['push', `${registry.host}/find/me:1`]);
    const s = await ok(['search', '--format', '{{.Name}}', `${registry.host}/find`]);
    expect(s).toContain('find/me');
  });

  it('build with the classic builder: stream, -f, --build-arg, --label, --target', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'hello.txt'), 'hello from the context\n');
    writeFileSync(
      join(dir, 'Dockerfile'),
      'FROM busybox\nCOPY hello.txt /hello.txt\nCMD ["cat", "/hello.txt"]\n',
    );
    mkdirSync(join(dir, 'sub'));
    writeFileSync(
      join(dir, 'sub', 'Other.Dockerfile'),
      [
        'FROM busybox AS first',
        'ARG WHO=nobody',
        'RUN echo "arg $WHO" > /who',
        'CMD ["cat", "/who"]',
        'FROM busybox AS second',
        'RUN echo second > /who',
        'CMD ["cat", "/who"]',
        '',
      ].join('\n'),
    );
    const b = await dockerCli(agent, { DOCKER_BUILDKIT: '0' })(['build', '-t', 'built:1', dir]);
    expect(b.status, b.stderr).toBe(0);
    expect(b.stdout).toMatch(/^Step 1\/3 : FROM busybox$/m);
    expect(b.stdout).toMatch(/^Successfully built [0-9a-f]{12}$/m);
    expect(b.stdout).toMatch(/^Successfully tagged built:1$/m);
    expect(await runOut('built:1')).toBe('hello from the context\n');
    const b2 = await dockerCli(agent, { DOCKER_BUILDKIT: '0' })([
      'build',
      '-t',
      'built:2',
      '-f',
      join(dir, 'sub', 'Other.Dockerfile'),
      '--build-arg',
      'WHO=ann',
      '--label',
      'made.by=test',
      '--target',
      'first',
      dir,
    ]);
    expect(b2.status, b2.stderr).toBe(0);
    expect(await runOut('built:2')).toBe('arg ann\n');
    const classic = dockerCli(agent, { DOCKER_BUILDKIT: '0' });
    const quiet = await classic(['build', '-q', '-t', 'built:3', dir]);
    expect(quiet.status, quiet.stderr).toBe(0);
    expect(quiet.stdout).toMatch(/^sha256:[0-9a-f]{64}\n$/);
    const pull = await classic(['build', '--pull', '-t', 'built:4', dir]);
    expect(pull.status).toBe(1);
    expect(pull.stderr).toContain('build parameter pull=1 is not supported');
    expect(
      await ok(['image', 'inspect', '-f', '{{index .Config.Labels "made.by"}}', 'built:2']),
    ).toBe('test\n');
  });

  it('docker-py builds and commits', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'Dockerfile'), 'FROM busybox\nRUN echo py > /py\nCMD ["cat", "/py"]\n');
    const r = await py(`
img, logs = client.images.build(path='${dir}', tag='pybuilt:1', labels={'by': 'py'})
print(img.tags, img.labels.get('by'), any('Successfully built' in l.get('stream', '') for l in logs))
print(client.containers.run('pybuilt:1', network_mode='none', remove=True).decode().strip())
c = client.containers.create('busybox', ['sh', '-c', 'echo c > /c'], network_mode='none')
c.start(); c.wait()
committed = c.commit(repository='pycommit', tag='1', message='m', changes=['CMD ["cat", "/c"]'])
print(committed.tags, client.containers.run('pycommit:1', network_mode='none', remove=True).decode().strip())
c.remove()
`);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe("['pybuilt:1'] py True\npy\n['pycommit:1'] c\n");
  });

  it('image prune honours dangling=false, until, label and label!', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'Dockerfile'), 'FROM busybox\nLABEL keep=no\nRUN echo a > /a\n');
    const b = await dockerCli(agent, { DOCKER_BUILDKIT: '0' })(['build', '-t', 'prunable:1', dir]);
    expect(b.status, b.stderr).toBe(0);
    writeFileSync(join(dir, 'Dockerfile'), 'FROM busybox\nLABEL keep=yes\nRUN echo b > /b\n');
    const b2 = await dockerCli(agent, { DOCKER_BUILDKIT: '0' })(['build', '-t', 'kept:1', dir]);
    expect(b2.status, b2.stderr).toBe(0);
    // busybox has a container, so no prune takes it.
    await ok(['create', '--name', 'holder', '--network', 'none', 'busybox', 'true']);
    const none = await ok(['image', 'prune', '-a', '-f', '--filter', 'until=2000-01-01T00:00:00Z']);
    expect(none).toMatch(/Total reclaimed space: 0B/);
    const r = await ok(['image', 'prune', '-a', '-f', '--filter', 'label=keep=no']);
    expect(r).toContain('untagged: prunable:1');
    const names = await ok(['images', '--format', '{{.Repository}}:{{.Tag}}']);
    expect(names).toContain('kept:1');
    expect(names).not.toContain('prunable:1');
    const f = await agent.cli(['image', 'prune', '-a', '-f', '--filter', 'label!=keep=yes']);
    expect(f.status, f.stderr).toBe(0);
    const after = await ok(['images', '--format', '{{.Repository}}:{{.Tag}}']);
    expect(after).toContain('kept:1');
    await ok(['rm', 'holder']);
    const bad = await docker(['image', 'prune', '-f', '--filter', 'colour=red']);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/invalid filter 'colour'/);
  });

  it('docker events --filter type=image sees tag, import, build; commit is a container event', async () => {
    const since = Math.floor(Date.now() / 1000) - 1;
    await ok(['tag', 'busybox', 'evt:1']);
    const dir = tmp();
    writeFileSync(join(dir, 'Dockerfile'), 'FROM busybox\nCMD ["true"]\n');
    const b = await dockerCli(agent, { DOCKER_BUILDKIT: '0' })(['build', '-t', 'evt:2', dir]);
    expect(b.status, b.stderr).toBe(0);
    await ok(['create', '--name', 'evc', '--network', 'none', 'busybox', 'true']);
    await ok(['commit', 'evc', 'evt:3']);
    await ok(['rm', 'evc']);
    const until = Math.floor(Date.now() / 1000) + 1;
    const ev = await ok([
      'events',
      '--since',
      String(since),
      '--until',
      String(until),
      '--format',
      '{{.Type}} {{.Action}} {{.Actor.Attributes.name}}',
    ]);
    expect(ev).toContain('image tag evt:1');
    expect(ev).toContain('image tag evt:2');
    expect(ev).toContain('container commit evc');
  });
});
