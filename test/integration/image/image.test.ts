// The image pipeline end to end: a real registry (docker-registry), a real agent process started
// from bin/flotilla, driven through the CLI. Run `npm run build` first.
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildImage,
  buildLayerTarBytes,
  hostileLayers,
  type BuiltImage,
} from '../../harness/image-builder.js';
import { startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { startAgent, uploadImage, type TestAgent } from './helpers.js';

const file = (path: string, content: string) => ({ type: 'file' as const, path, content });

async function blobDigests(dataRoot: string): Promise<Set<string>> {
  const out = new Set<string>();
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true }).catch(() => [])) {
      if (e.isDirectory()) await walk(join(d, e.name));
      else if (/^[a-f0-9]{64}$/.test(e.name)) out.add(`sha256:${e.name}`);
    }
  };
  await walk(join(dataRoot, 'image', 'content'));
  return out;
}

describe('image service through the CLI', () => {
  let registry: RunningRegistry;
  let agent: TestAgent;
  let base: BuiltImage;
  let app: BuiltImage;

  beforeAll(async () => {
    registry = await startRegistry();
    agent = await startAgent();
    const shared = [
      file('etc/os-release', 'ID=flotilla-test\n'),
      { type: 'dir' as const, path: 'tmp', mode: 0o1777 },
    ];
    base = await buildImage({ layers: [shared], format: 'docker', compression: 'gzip' });
    app = await buildImage({
      layers: [
        shared,
        [file('app/big', 'x'.repeat(300_000))],
        [
          file('app/config', 'port=80\n'),
          { type: 'symlink', path: 'app/current', target: 'config' },
        ],
      ],
      config: { Cmd: ['/app/run'] },
      format: 'oci',
      compression: 'gzip',
    });
    await uploadImage(registry.host, 'base', 'v1', base);
    await uploadImage(registry.host, 'app', 'v1', app);
  });

  afterAll(async () => {
    await agent?.stop();
    await registry?.stop();
  });

  it('pulls with per-layer progress and lists the image', async () => {
    const ref = `${registry.host}/app:v1`;
    const r = await agent.cli(['pull', ref]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe('v1: Pulling from app');
    expect(lines.filter((l) => l.endsWith(': Pull complete'))).toHaveLength(3);
    expect(lines).toContain(`Digest: ${app.manifestDigest}`);
    expect(lines).toContain(`Status: Downloaded newer image for ${ref}`);
    expect(lines.at(-1)).toBe(ref);

    const ls = await agent.cli(['images']);
    expect(ls.stdout.split('\n')[0]).toMatch(/^REPOSITORY\s+TAG\s+IMAGE ID\s+CREATED\s+SIZE$/);
    expect(ls.stdout).toMatch(
      new RegExp(`${registry.host}/app\\s+v1\\s+${app.configDigest.slice(7, 19)}\\s`),
    );
    const q = await agent.cli(['images', '-q']);
    expect(q.stdout.trim()).toBe(app.configDigest.slice(7, 19));
    const digests = await agent.cli(['images', '--digests']);
    expect(digests.stdout).toContain(app.manifestDigest);

    const again = await agent.cli(['pull', ref]);
    expect(again.stdout).toContain(`Status: Image is up to date for ${ref}`);

    const inspect = await agent.cli(['image', 'inspect', ref]);
    const doc = JSON.parse(inspect.stdout) as {
      Id: string;
      Config: { Cmd: string[] };
      RootFS: { Layers: string[] };
    }[];
    expect(doc[0].Id).toBe(app.configDigest);
    expect(doc[0].Config.Cmd).toEqual(['/app/run']);
    expect(doc[0].RootFS.Layers).toEqual(app.layers.map((l) => l.diffId));

    const hist = await agent.cli(['history', ref]);
    expect(hist.stdout.split('\n')[0]).toMatch(/^IMAGE\s+CREATED\s+CREATED BY\s+SIZE\s+COMMENT$/);
    expect(hist.stdout.trim().split('\n')).toHaveLength(4);
  });

  it('pushes to another repository and pulls it back with the same digests', async () => {
    const target = `${registry.host}/copy:v2`;
    expect((await agent.cli(['tag', `${registry.host}/app:v1`, target])).code).toBe(0);
    const push = await agent.cli(['push', target]);
    expect(push.stderr).toBe('');
    expect(push.stdout).toContain(`The push refers to repository [${registry.host}/copy]`);
    expect(push.stdout).toMatch(/Mounted from app|Layer already exists/);
    expect(push.stdout).toContain(
      `v2: digest: ${app.manifestDigest} size: ${app.manifestBytes.length}`,
    );

    const res = await fetch(`${registry.url}/v2/copy/manifests/v2`, {
      headers: { accept: app.manifestMediaType },
    });
    expect(res.headers.get('docker-content-digest')).toBe(app.manifestDigest);

    expect((await agent.cli(['rmi', target])).stdout).toBe(`Untagged: ${target}\n`);
    const pull = await agent.cli(['pull', target]);
    expect(pull.stdout).toContain(`Digest: ${app.manifestDigest}`);
    const inspect = JSON.parse((await agent.cli(['image', 'inspect', target])).stdout) as {
      Id: string;
    }[];
    expect(inspect[0].Id).toBe(app.configDigest);
  });

  it('removes blobs and layers that no other image shares', async () => {
    await agent.cli(['pull', `${registry.host}/base:v1`]);
    await agent.cli(['rmi', `${registry.host}/copy:v2`]);
    const before = await blobDigests(agent.dataRoot);
    for (const l of app.layers) expect(before.has(l.digest)).toBe(true);
    const r = await agent.cli(['rmi', `${registry.host}/app:v1`]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Untagged: ${registry.host}/app:v1`);
    expect(r.stdout).toContain(`Deleted: ${app.configDigest}`);
    const after = await blobDigests(agent.dataRoot);
    expect(after.has(app.layers[0].digest)).toBe(true); // shared with base
    expect(after.has(app.layers[1].digest)).toBe(false);
    expect(after.has(app.layers[2].digest)).toBe(false);
    expect(after.has(app.configDigest)).toBe(false);
    const layerDirs = await readdir(join(agent.dataRoot, 'image', 'layers'));
    expect(layerDirs.filter((d) => !d.startsWith('tmp'))).toHaveLength(1);
    const gone = await agent.cli(['image', 'inspect', `${registry.host}/app:v1`]);
    expect(gone.code).not.toBe(0);
    expect(gone.stderr).toContain(`No such image: ${registry.host}/app:v1`);
  });

  it('saves and loads an image (docker-archive + OCI layout)', async () => {
    const ref = `${registry.host}/base:v1`;
    const out = join(agent.dir, 'base.tar');
    const save = await agent.cli(['save', '-o', out, ref]);
    expect(save.stderr).toBe('');
    expect(save.code).toBe(0);
    const rm = await agent.cli(['rmi', ref]);
    expect(rm.code).toBe(0);
    expect((await agent.cli(['images', '-q'])).stdout).toBe('');
    const load = await agent.cli(['load', '-i', out]);
    expect(load.stderr).toBe('');
    expect(load.stdout).toBe(`Loaded image: ${ref}\n`);
    const inspect = JSON.parse((await agent.cli(['image', 'inspect', ref])).stdout) as {
      Id: string;
    }[];
    expect(inspect[0].Id).toBe(base.configDigest);
  });

  it('imports a gzip root filesystem tarball from stdin', async () => {
    const tarBytes = await buildLayerTarBytes([file('hello.txt', 'hi\n')]);
    const r = await agent.cli(['import', '-', 'imported:1'], { input: gzipSync(tarBytes) });
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^sha256:[a-f0-9]{64}\n$/);
    const ls = await agent.cli(['images', 'imported']);
    expect(ls.stdout).toMatch(/imported\s+1\s+[a-f0-9]{12}/);
    const inspect = JSON.parse((await agent.cli(['image', 'inspect', 'imported:1'])).stdout) as {
      RootFS: { Layers: string[] };
    }[];
    expect(inspect[0].RootFS.Layers).toHaveLength(1);
  });

  it('refuses a hostile image, naming the image and the entry, writing nothing outside', async () => {
    const sentinel = join(agent.dir, 'sentinel-pwned');
    const hostile = await buildImage({
      layers: [hostileLayers(sentinel).symlinkEscape],
      format: 'docker',
      compression: 'gzip',
    });
    await uploadImage(registry.host, 'evil', 'v1', hostile);
    const r = await agent.cli(['pull', `${registry.host}/evil:v1`]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`${registry.host}/evil:v1`);
    expect(r.stderr).toContain('escape');
    expect(existsSync(sentinel)).toBe(false);
    expect((await agent.cli(['images'])).stdout).not.toContain('evil');
  });

  it('logs in to a registry with basic auth and pulls from it', async () => {
    const secured = await startRegistry({ auth: { username: 'alice', password: 's3cret' } });
    try {
      await uploadImage(secured.host, 'private', 'v1', base, {
        username: 'alice',
        password: 's3cret',
      });
      const anon = await agent.cli(['pull', `${secured.host}/private:v1`]);
      expect(anon.code).not.toBe(0);
      const bad = await agent.cli(['login', '-u', 'alice', '-p', 'wrong', secured.host]);
      expect(bad.code).not.toBe(0);
      const login = await agent.cli(['login', '-u', 'alice', '--password-stdin', secured.host], {
        input: 's3cret\n',
      });
      expect(login.stderr).toBe('');
      expect(login.stdout).toBe('Login Succeeded\n');
      const auth = JSON.parse(await readFile(join(agent.dir, 'cli', 'auth.json'), 'utf8')) as {
        auths: Record<string, unknown>;
      };
      expect(Object.keys(auth.auths)).toEqual([secured.host]);
      const pull = await agent.cli(['pull', `${secured.host}/private:v1`]);
      expect(pull.stderr).toBe('');
      expect(pull.stdout).toContain(`Digest: ${base.manifestDigest}`);
      const out = await agent.cli(['logout', secured.host]);
      expect(out.stdout).toBe(`Removing login credentials for ${secured.host}\n`);
    } finally {
      await secured.stop();
    }
  });

  it('searches the registry named in the term', async () => {
    const r = await agent.cli(['search', `${registry.host}/ba`]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(`NAME\n${registry.host}/base\n`);
  });
});

void writeFile;
