// The Docker tutorial the project started from, command by command as written, typed once into
// `flotilla` and once into the docker CLI aimed at the agent's socket; both must see the same
// outcome. Images are built offline (busybox httpd stands in for the tutorial's python app).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { uploadImage } from '../image/helpers.js';
import {
  bundlePath,
  busyboxImage,
  dockerArchive,
  TestAgent,
  useTestAgent,
  waitFor,
  type CliResult,
  type CliStream,
} from '../runtime/harness.js';
import { dockerCli, dockerEnv, dockerStream } from './docker-client.js';
import { onTerminal } from './terminal.js';

const agent = new TestAgent();
let registry: RunningRegistry | undefined;
useTestAgent(agent, async () => {
  await registry?.stop();
});

interface Client {
  name: string;
  run(args: string[], input?: string): Promise<CliResult>;
  stream(args: string[]): CliStream;
  argv: string[];
  env: () => NodeJS.ProcessEnv;
}

// The docker CLI 28 builds with BuildKit (buildx) unless DOCKER_BUILDKIT=0 selects the classic
// builder, which is what the agent serves; Debian's docker.io has no buildx plugin either.
const dockerEnvOnce = () => (dockerEnvCache ??= dockerEnv(agent, { DOCKER_BUILDKIT: '0' }));
let dockerEnvCache: NodeJS.ProcessEnv | undefined;
const clients: Client[] = [
  {
    name: 'flotilla',
    run: (args, input) => agent.cli(args, input),
    stream: (args) => agent.stream(args),
    argv: ['node', '--', bundlePath],
    env: () => agent.env,
  },
  {
    name: 'docker',
    run: (args, input) => dockerCli(agent, { DOCKER_BUILDKIT: '0' })(args, input),
    stream: (args) => dockerStream(dockerEnvOnce(), args),
    argv: ['docker'],
    env: dockerEnvOnce,
  },
];

/** waitFor, failing with what the streaming command printed so far. */
async function seen(s: CliStream, what: string, check: () => boolean | Promise<boolean>) {
  await waitFor(what, check, { timeoutMs: 30_000 }).catch(() => {
    throw new Error(
      `timed out waiting for ${what}; stdout ${s.stdout.slice(-800)} stderr ${s.stderr}`,
    );
  });
}

async function get(port: number, path = '/index.html'): Promise<string> {
  return waitFor(`GET :${port}${path}`, async () => {
    const res = await fetch(`http://127.0.0.1:${port}${path}`).catch(() => undefined);
    return res?.ok ? res.text() : undefined;
  });
}

beforeAll(async () => {
  // The tutorial's training/webapp: a web server on 5000 that the image EXPOSEs.
  const webapp = await busyboxImage({
    Cmd: ['httpd', '-f', '-v', '-p', '5000', '-h', '/www'],
    ExposedPorts: { '5000/tcp': {} },
  });
  const r = await agent.cli(['load'], await dockerArchive(webapp, 'webapp:latest'));
  expect(r.status, r.stderr).toBe(0);
  registry = await startRegistry();
  for (const c of clients)
    await uploadImage(
      registry.host,
      'tutorial/hello',
      c.name,
      await busyboxImage({ Cmd: ['echo', `hello from the registry to ${c.name}`] }),
    );
});

for (const c of clients) {
  describe(`the Docker tutorial through ${c.name}`, () => {
    const n = (s: string) => `tut-${c.name}-${s}`;
    afterAll(async () => {
      await agent.removeAll();
      await c.run(['rmi', 'friendlyhello']);
    });

    it('run -i -t -d -P IMAGE /bin/echo "Hello world"', async () => {
      const r = await c.run(['run', '-i', '-t', '-d', '-P', 'webapp', '/bin/echo', 'Hello world']);
      expect(r.stderr).toBe('');
      expect(r.stdout).toMatch(/^[0-9a-f]{64}\n$/);
      const id = r.stdout.trim();
      const logs = await waitFor('Hello world in the logs', async () => {
        const l = await c.run(['logs', id]);
        return l.stdout.includes('Hello world') ? l : undefined;
      });
      expect(logs.stdout).toBe('Hello world\r\n'); // a tty ends lines with CRLF
      const all = await c.run(['inspect', '-f', '{{.HostConfig.PublishAllPorts}}', id]);
      expect(all.stdout).toBe('true\n');
    });

    it('run -d -P publishes the exposed port of the image on a free port', async () => {
      expect((await c.run(['run', '-d', '-P', '--name', n('p'), 'webapp'])).status).toBe(0);
      const port = await c.run(['port', n('p')]);
      const m = /^5000\/tcp -> 0\.0\.0\.0:(\d+)$/m.exec(port.stdout);
      expect(m, port.stdout + port.stderr).not.toBeNull();
      expect(await get(Number(m![1]))).toBe('hello from flotilla\n');
    });

    it('run -d -p 5000:5000 IMAGE … with a local image; ps, port, top, stats, logs -f, stop, start', async () => {
      const web = n('web');
      const r = await c.run(['run', '-d', '-p', '5000:5000', '--name', web, 'webapp']);
      expect(r.stderr).toBe('');
      expect(await get(5000)).toBe('hello from flotilla\n');

      const ps = await c.run(['ps']);
      expect(ps.stdout.split('\n')[0]).toMatch(
        /^CONTAINER ID\s+IMAGE\s+COMMAND\s+CREATED\s+STATUS/,
      );
      const row = ps.stdout.split('\n').find((l) => l.endsWith(web));
      expect(row).toMatch(/webapp .* Up .*0\.0\.0\.0:5000->5000\/tcp/);

      expect((await c.run(['port', web, '5000'])).stdout).toBe('0.0.0.0:5000\n');
      expect((await c.run(['top', web])).stdout).toMatch(/^UID\s+PID\s+PPID.*\n.*httpd -f -v/);

      // The docker CLI's stats does not exit on SIGTERM (docker/cli#6090); dockerStream ends it.
      const stats = c.stream(['stats', web]);
      await seen(stats, 'a stats line', () => /tut-\w+-web\s+[\d.]+%/.test(stats.stdout));
      await stats.stop();

      const follow = c.stream(['logs', '-f', web]);
      await get(5000);
      await seen(follow, 'the request in logs -f', () => follow.stderr.includes('response:200'));
      expect((await c.run(['stop', web])).stdout).toBe(`${web}\n`);
      // logs -f ends when the container stops.
      await seen(
        follow,
        'logs -f to end',
        async () =>
          (await Promise.race([follow.exited, new Promise((r) => setTimeout(r, 100, 'no'))])) === 0,
      );

      expect((await c.run(['ps', '-q', '--filter', `name=${web}`])).stdout).toBe('');
      const exited = await c.run([
        'ps',
        '--all',
        '--filter',
        `name=${web}`,
        '--format',
        '{{.Status}}',
      ]);
      expect(exited.stdout).toMatch(/^Exited \(\d+\) /);
      expect((await c.run(['start', web])).stdout).toBe(`${web}\n`);
      expect(await get(5000)).toBe('hello from flotilla\n');
    });

    it('run -d -p 127.0.0.1:5000:5000/udp --name NAME', async () => {
      const udp = n('udp');
      const r = await c.run([
        'run',
        '-d',
        '-p',
        '127.0.0.1:5000:5000/udp',
        '--name',
        udp,
        'webapp',
      ]);
      expect(r.stderr).toBe('');
      expect((await c.run(['port', udp])).stdout).toBe('5000/udp -> 127.0.0.1:5000\n');
    });

    it('exec -it ID sh', async () => {
      // Its own container: it does not depend on the -p 5000 case having passed.
      const started = await c.run(['run', '-d', '--name', n('sh'), 'webapp']);
      expect(started.status, started.stderr).toBe(0);
      const id = (
        await c.run(['ps', '-q', '--no-trunc', '--filter', `name=${n('sh')}`])
      ).stdout.trim();
      expect(id).toMatch(/^[0-9a-f]{64}$/);
      const t = await onTerminal(
        [...c.argv, 'exec', '-it', id, 'sh'],
        c.env(),
        ['echo tut-$((6*7))'],
        'tut-42',
      );
      expect(t, t.out).toMatchObject({ prompt: true, seen: true, status: 0 });
    });

    it('search and pull from a registry', async () => {
      const ref = `${registry!.host}/tutorial/hello:${c.name}`;
      const search = await c.run(['search', `${registry!.host}/tutorial`]);
      expect(search.status, search.stderr).toBe(0);
      expect(search.stdout).toContain(`${registry!.host}/tutorial/hello`);
      const pull = await c.run(['pull', ref]);
      expect(pull.stderr).toBe('');
      expect(pull.stdout).toContain(`Status: Downloaded newer image for ${ref}`);
      expect(pull.stdout.trimEnd().split('\n').at(-1)).toBe(ref);
      const ran = await c.run(['run', '--rm', '--network', 'none', ref]);
      expect(ran.stdout).toBe(`hello from the registry to ${c.name}\n`);
    });

    it('build -t friendlyhello . then run -p 4000:80 friendlyhello', async () => {
      const dir = mkdtempSync('/tmp/flt-tutorial-');
      writeFileSync(
        join(dir, 'Dockerfile'),
        [
          'FROM webapp',
          'WORKDIR /app',
          'COPY index.html /app/',
          'EXPOSE 80',
          'CMD ["httpd", "-f", "-p", "80", "-h", "/app"]',
          '',
        ].join('\n'),
      );
      writeFileSync(join(dir, 'index.html'), `Hello from friendlyhello (${c.name})\n`);
      const build = await c.run(['build', '-t', 'friendlyhello', dir]);
      expect(build.status, build.stdout + build.stderr).toBe(0);
      expect(build.stdout).toMatch(/Successfully tagged friendlyhello:latest/);

      const fh = n('fh');
      const fg = c.stream(['run', '-p', '4000:80', '--name', fh, 'friendlyhello']);
      expect(await get(4000)).toBe(`Hello from friendlyhello (${c.name})\n`);
      expect((await c.run(['stop', fh])).status).toBe(0);
      // The foreground run ends when the container stops, with the container's exit status.
      const code = (await c.run(['inspect', '-f', '{{.State.ExitCode}}', fh])).stdout.trim();
      expect(await fg.exited).toBe(Number(code));
    });
  });
}
