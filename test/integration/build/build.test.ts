// `flotilla build`, `commit` and `export` against a real agent (runc, conmon, overlayfs). The base
// image is the harness's busybox layer, loaded with `flotilla load`.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import tar from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildImage, busyboxLayer } from '../../harness/image-builder.js';
import { startAgent, type TestAgent } from '../image/helpers.js';

let agent: TestAgent;

async function dockerArchive(repoTag: string): Promise<Buffer> {
  const img = await buildImage({
    layers: [busyboxLayer()],
    format: 'docker',
    compression: 'none',
    config: { Cmd: ['sh'] } as never,
  });
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: unknown) => void chunks.push(c as Buffer));
  const ended = new Promise<void>((r) => pack.on('end', () => r()));
  pack.entry({ name: 'config.json' }, img.configBytes);
  pack.entry({ name: 'layer.tar' }, img.layers[0].bytes);
  pack.entry(
    { name: 'manifest.json' },
    JSON.stringify([{ Config: 'config.json', RepoTags: [repoTag], Layers: ['layer.tar'] }]),
  );
  pack.finalize();
  await ended;
  return Buffer.concat(chunks);
}

async function context(files: Record<string, string>): Promise<string> {
  const dir = join(agent.dir, `ctx-${Math.random().toString(16).slice(2)}`);
  for (const [name, content] of Object.entries(files)) {
    await mkdir(join(dir, name, '..'), { recursive: true });
    await writeFile(join(dir, name), content);
  }
  return dir;
}

function buildContainersLeft(): string[] {
  const dir = join(agent.dataRoot, 'build', 'containers');
  return existsSync(dir) ? readdirSync(dir).filter((n) => !n.endsWith('.json') || true) : [];
}

function mountsUnder(path: string): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4])
    .filter((m) => m && m.startsWith(path));
}

beforeAll(async () => {
  agent = await startAgent();
  const load = await agent.cli(['load'], { input: await dockerArchive('busybox:latest') });
  expect(load.code, load.stderr).toBe(0);
});

afterAll(async () => {
  await agent?.stop();
});

const multiStage = [
  'ARG BASE=busybox',
  'FROM ${BASE} AS build',
  'ARG GREETING=hello',
  'RUN mkdir -p /out && echo "$GREETING from run" > /out/msg && ls /src 2>/dev/null; true',
  'COPY app/ /src/',
  'RUN ls /src > /out/listing',
  'FROM scratch',
  'COPY --from=build /bin/busybox /bin/busybox',
  'COPY --from=build /out/ /',
  'COPY --chown=1000:1000 app/ /app/',
  'ENV MODE=prod',
  'WORKDIR /app/sub',
  'USER 1000',
  'EXPOSE 8080',
  'LABEL org.example.kind=test',
  'HEALTHCHECK --interval=30s --retries=2 CMD ["/bin/busybox", "true"]',
  'ENTRYPOINT ["/bin/busybox"]',
  'CMD ["cat", "/msg"]',
].join('\n');

describe('flotilla build', () => {
  let dir: string;
  let firstId: string;

  it('builds a multi-stage image with RUN, COPY --from and metadata', async () => {
    dir = await context({
      Dockerfile: multiStage,
      'app/index.txt': 'index\n',
      'app/secret.txt': 'do not ship\n',
      'app/sub/nested.txt': 'nested\n',
      '.dockerignore': '# secrets stay home\napp/secret.txt\n',
    });
    const r = await agent.cli(['build', '-t', 'built:v1', '--build-arg', 'GREETING=hi', dir]);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toContain('Step 1/18 : ARG BASE=busybox');
    expect(r.stdout).toContain('Step 4/18 : RUN mkdir -p /out');
    expect(r.stdout).toMatch(/Successfully built [0-9a-f]{12}/);
    expect(r.stdout).toContain('Successfully tagged built:v1');
    const insp = await agent.cli(['image', 'inspect', 'built:v1']);
    expect(insp.code, insp.stderr).toBe(0);
    const doc = (JSON.parse(insp.stdout) as Record<string, any>[])[0];
    firstId = doc.Id as string;
    const cfg = doc.Config;
    expect(cfg.Env).toContain('MODE=prod');
    expect(cfg.WorkingDir).toBe('/app/sub');
    expect(cfg.User).toBe('1000');
    expect(cfg.ExposedPorts).toEqual({ '8080/tcp': {} });
    expect(cfg.Labels).toEqual({ 'org.example.kind': 'test' });
    expect(cfg.Healthcheck).toEqual({
      Test: ['CMD', '/bin/busybox', 'true'],
      Interval: 30e9,
      Retries: 2,
    });
    expect(cfg.Entrypoint).toEqual(['/bin/busybox']);
    expect(cfg.Cmd).toEqual(['cat', '/msg']);
    // scratch + three COPY layers; WORKDIR /app/sub exists (copied), so no layer for it.
    expect(doc.RootFS.Layers).toHaveLength(3);
    const hist = await agent.cli(['history', '--no-trunc', 'built:v1']);
    expect(hist.stdout).toContain('#(nop)  ENV MODE=prod');
  });

  it('left out what .dockerignore excludes', async () => {
    const check = await context({
      Dockerfile:
        'FROM busybox\nCOPY --from=built:v1 /listing /listing\nRUN cat /listing && ! grep secret /listing\n',
    });
    const r = await agent.cli(['build', '--no-cache', '-t', 'check:1', check]);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toContain('index.txt');
    expect(r.stdout).not.toContain('secret.txt');
  });

  it('reuses the cache for an unchanged build and rebuilds with --no-cache', async () => {
    const again = await agent.cli(['build', '-t', 'built:v1', '--build-arg', 'GREETING=hi', dir]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain(' ---> Using cache');
    expect(again.stdout).not.toContain('hi from run'); // no RUN executed
    const q = await agent.cli(['build', '-q', '-t', 'built:v1', '--build-arg', 'GREETING=hi', dir]);
    expect(q.stdout.trim()).toBe(firstId);
    const fresh = await agent.cli([
      'build',
      '--no-cache',
      '-q',
      '-t',
      'built:v2',
      '--build-arg',
      'GREETING=hi',
      dir,
    ]);
    expect(fresh.code, fresh.stderr).toBe(0);
    expect(fresh.stdout.trim()).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(fresh.stdout.trim()).not.toBe(firstId);
    const loud = await agent.cli([
      'build',
      '--no-cache',
      '-t',
      'built:v3',
      '--build-arg',
      'GREETING=hi',
      dir,
    ]);
    expect(loud.stdout).not.toContain('Using cache');
  });

  it('runs the built image', async () => {
    const r = await agent.cli(['run', '--rm', 'built:v1']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('hi from run\n');
  });

  it('reports a failing RUN with its Dockerfile line and exit code, leaving no container', async () => {
    const d = await context({
      Dockerfile: 'FROM busybox\nENV A=1\nRUN echo before; exit 3\nCMD true\n',
    });
    const r = await agent.cli(['build', '-t', 'fails:1', d]);
    expect(r.code).not.toBe(0);
    expect(r.stdout).toContain('before');
    expect(r.stderr).toContain('Dockerfile:3');
    expect(r.stderr).toContain('non-zero code: 3');
    expect(buildContainersLeft()).toEqual([]);
    expect(mountsUnder(agent.dataRoot)).toEqual([]);
    const img = await agent.cli(['image', 'inspect', 'fails:1']);
    expect(img.code).not.toBe(0);
  });

  it('names the line of a syntax error', async () => {
    const d = await context({ Dockerfile: 'FROM busybox\n\nFROMM nothing\n' });
    const r = await agent.cli(['build', d]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('Dockerfile:3');
    expect(r.stderr).toContain('unknown instruction');
  });

  it('refuses ADD of a URL and auto-extracts a local tar', async () => {
    const d = await context({ Dockerfile: 'FROM busybox\nADD http://example.com/x /x\n' });
    const r = await agent.cli(['build', d]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(
      /Dockerfile:2: ADD http:\/\/example.com\/x: downloading URLs is not supported/,
    );
    const t = await context({
      Dockerfile: 'FROM busybox\nADD files.tar /opt/\nRUN cat /opt/inner/a.txt\n',
    });
    execFileSync('sh', [
      '-c',
      `mkdir -p ${t}/src/inner && echo from-tar > ${t}/src/inner/a.txt && tar -C ${t}/src -cf ${t}/files.tar inner && rm -r ${t}/src`,
    ]);
    const ok = await agent.cli(['build', t]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('from-tar');
  });
});

/**
 * A RUN command fetching the server's page into /fetched. Debian's static busybox `wget` crashes
 * (SIGSEGV in glibc's NSS) in a rootfs without libc, whatever the network, so plain `nc` speaks
 * HTTP/1.0; the body is the last line.
 */
function httpGet(ip: string, timeoutS: number): string {
  return (
    `printf 'GET /index.html HTTP/1.0\\r\\n\\r\\n' | nc -w ${timeoutS} ${ip} 8000 > /response` +
    ' && grep -q "200 OK" /response && tail -n 1 /response > /fetched && rm /response'
  );
}

describe('flotilla build --network', () => {
  // The server is a container on the agent's bridge (a namespace the agent made for this test),
  // so RUN reaches it over the bridge as `docker build` reaches a local server.
  let serverIp = '';

  beforeAll(async () => {
    const web = await agent.cli([
      'run',
      '-d',
      '--name',
      'build-web',
      'busybox',
      'sh',
      '-c',
      'mkdir /www && echo served-over-bridge > /www/index.html && exec httpd -f -p 8000 -h /www',
    ]);
    expect(web.code, web.stderr).toBe(0);
    const ip = await agent.cli(['inspect', '-f', '{{.NetworkSettings.IPAddress}}', 'build-web']);
    serverIp = ip.stdout.trim();
    expect(serverIp).toMatch(/^10\.251\.7\.\d+$/);
  });

  afterAll(async () => {
    await agent.cli(['rm', '-f', 'build-web']);
  });

  it('lets RUN fetch from a server on the bridge by default, and keeps what it fetched', async () => {
    const d = await context({
      Dockerfile: `FROM busybox\nRUN ${httpGet(serverIp, 10)}\nCMD ["cat", "/fetched"]\n`,
    });
    const r = await agent.cli(['build', '--no-cache', '-t', 'fetched:1', d]);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const out = await agent.cli(['run', '--rm', 'fetched:1']);
    expect(out.stdout).toBe('served-over-bridge\n');
    expect(buildContainersLeft()).toEqual([]);
    // RUN containers' snapshots (the shared OverlaySnapshotter under <dataRoot>/build) are gone.
    expect(readdirSync(join(agent.dataRoot, 'build', 'snapshots'))).toEqual([]);
    expect(mountsUnder(join(agent.dataRoot, 'build'))).toEqual([]);
  });

  it('gives RUN no network with --network none', async () => {
    const d = await context({
      Dockerfile: `FROM busybox\nRUN ${httpGet(serverIp, 5)}\n`,
    });
    const r = await agent.cli(['build', '--no-cache', '--network', 'none', d]);
    expect(r.code).not.toBe(0);
    expect(r.stdout).toMatch(/can't connect|unreachable/i);
    expect(r.stderr).toContain('Dockerfile:2');
    expect(buildContainersLeft()).toEqual([]);
  });

  it('refuses an unknown network mode', async () => {
    const d = await context({ Dockerfile: 'FROM busybox\nRUN true\n' });
    const r = await agent.cli(['build', '--network', 'nonesuch', d]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('bridge');
  });
});

describe('flotilla commit and export', () => {
  it('commits a container that created and deleted files', async () => {
    const run = await agent.cli([
      'run',
      '--name',
      'c1',
      'busybox',
      'sh',
      '-c',
      'echo new > /new.txt && rm /etc/group',
    ]);
    expect(run.code, run.stderr).toBe(0);
    const c = await agent.cli([
      'commit',
      '-m',
      'changed',
      '-c',
      'CMD ["cat", "/new.txt"]',
      'c1',
      'committed:1',
    ]);
    expect(c.code, c.stderr).toBe(0);
    const check = await agent.cli([
      'run',
      '--rm',
      'committed:1',
      'sh',
      '-c',
      'cat /new.txt; test -e /etc/group && echo group-present || echo group-gone',
    ]);
    expect(check.stdout).toBe('new\ngroup-gone\n');
    const ex = await agent.cli(['export', 'c1']);
    expect(ex.code, ex.stderr).toBe(0);
    const names: string[] = [];
    const extract = tar.extract();
    extract.on('entry', (h, s, next) => {
      names.push(h.name);
      s.resume();
      s.on('end', next);
    });
    await new Promise<void>((res, rej) => {
      extract.on('finish', () => res());
      extract.on('error', rej);
      extract.end(ex.stdoutBytes);
    });
    expect(names).toContain('new.txt');
    expect(names).toContain('bin/busybox');
    expect(names).not.toContain('etc/group');
  });
});
