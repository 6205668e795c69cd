// The docker CLI (28, API 1.50) against a Flotilla agent's socket: what a Docker user types, and
// what they see. The agent runs real runc/conmon; images come from `flotilla load` and a registry.
import { describe, expect, it } from 'vitest';
import { startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { uploadImage } from '../image/helpers.js';
import { busyboxImage, TestAgent, useTestAgent, waitFor } from '../runtime/harness.js';
import { dockerCli } from './docker-client.js';

const agent = new TestAgent();
let registry: RunningRegistry | undefined;
useTestAgent(agent, async () => {
  await registry?.stop();
});
let cli: ReturnType<typeof dockerCli> | undefined;
const docker = (args: string[], input?: string) => (cli ??= dockerCli(agent))(args, input);

describe('docker CLI on the agent socket', () => {
  it('negotiates: docker version shows the Flotilla server', async () => {
    const r = await docker([
      'version',
      '--format',
      '{{.Server.Version}} {{.Server.APIVersion}} {{.Server.Os}}',
    ]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('0.1.0 1.50 linux\n');
    expect(r.status).toBe(0);
  });

  it('docker run --rm prints the output', async () => {
    const r = await docker(['run', '--rm', '--network', 'none', 'busybox', 'echo', 'hello']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('hello\n');
    expect(r.status).toBe(0);
    const ps = await docker(['ps', '-a', '-q']);
    expect(ps.stdout).toBe('');
  });

  it('passes the exit status of docker run through', async () => {
    const r = await docker(['run', '--rm', '--network', 'none', 'busybox', 'sh', '-c', 'exit 3']);
    expect(r.status).toBe(3);
  });

  it('runs a published web server: ps, port, GET, logs, exec, inspect, stop, rm', async () => {
    const started = await docker([
      'run',
      '-d',
      '--name',
      'web',
      '-p',
      '127.0.0.1::80',
      'busybox',
      'httpd',
      '-f',
      '-v',
      '-p',
      '80',
      '-h',
      '/www',
    ]);
    expect(started.stderr).toBe('');
    expect(started.stdout).toMatch(/^[0-9a-f]{64}\n$/);

    const ps = await docker(['ps', '--format', '{{.Names}} {{.Image}} {{.State}}']);
    expect(ps.stdout).toBe('web busybox running\n');

    const port = await docker(['port', 'web']);
    const m = /^80\/tcp -> 127\.0\.0\.1:(\d+)\n$/.exec(port.stdout);
    expect(m, port.stdout + port.stderr).not.toBeNull();
    const body = await waitFor('httpd to answer', async () => {
      const res = await fetch(`http://127.0.0.1:${m![1]}/index.html`).catch(() => undefined);
      return res?.ok ? res.text() : undefined;
    });
    expect(body).toBe('hello from flotilla\n');

    // busybox httpd -v logs `IP:PORT: response:200` to its stderr; docker logs keeps the stream.
    const logs = await waitFor('the request in the logs', async () => {
      const r = await docker(['logs', 'web']);
      return r.stderr.includes('response:200') ? r : undefined;
    });
    expect(logs.status).toBe(0);
    expect(logs.stdout).toBe('');

    const exec = await docker(['exec', 'web', 'echo', 'hi']);
    expect(exec.stdout).toBe('hi\n');
    expect(exec.status).toBe(0);
    const failing = await docker(['exec', 'web', 'sh', '-c', 'exit 4']);
    expect(failing.status).toBe(4);

    const running = await docker(['inspect', '-f', '{{.State.Running}}', 'web']);
    expect(running.stdout).toBe('true\n');

    const top = await docker(['top', 'web']);
    expect(top.stdout).toMatch(/httpd/);

    expect((await docker(['stop', 'web'])).stdout).toBe('web\n');
    const stopped = await docker(['inspect', '-f', '{{.State.Running}} {{.State.Status}}', 'web']);
    expect(stopped.stdout).toBe('false exited\n');
    expect((await docker(['rm', 'web'])).stdout).toBe('web\n');
    // Without --type the docker CLI tries every object type, and says so as Docker does.
    const gone = await docker(['inspect', 'web']);
    expect(gone.status).toBe(1);
    expect(gone.stderr).toBe('Error: No such object: web\n');
    const typed = await docker(['container', 'inspect', 'web']);
    expect(typed.stderr).toMatch(/No such container: web\n$/);
  });

  it("pauses, renames, restarts and kills with Docker's verbs", async () => {
    expect(
      (
        await docker([
          'run',
          '-d',
          '--name',
          'sleeper',
          '--network',
          'none',
          'busybox',
          'sleep',
          '300',
        ])
      ).status,
    ).toBe(0);
    expect((await docker(['pause', 'sleeper'])).status).toBe(0);
    expect((await docker(['inspect', '-f', '{{.State.Status}}', 'sleeper'])).stdout).toBe(
      'paused\n',
    );
    expect((await docker(['unpause', 'sleeper'])).status).toBe(0);
    expect((await docker(['rename', 'sleeper', 'napper'])).status).toBe(0);
    expect((await docker(['inspect', '-f', '{{.Name}}', 'napper'])).stdout).toBe('/napper\n');
    expect((await docker(['kill', 'napper'])).status).toBe(0);
    const wait = await docker(['wait', 'napper']);
    expect(wait.stdout).toBe('137\n');
    expect((await docker(['rm', '-f', 'napper'])).status).toBe(0);
  });

  it("refuses what it cannot honour with Docker's 400, naming the field", async () => {
    const r = await docker([
      'run',
      '--rm',
      '--network',
      'none',
      '--blkio-weight',
      '300',
      'busybox',
      'true',
    ]);
    expect(r.status).toBe(125);
    expect(r.stderr).toMatch(/HostConfig\.BlkioWeight is not supported/);
  });

  it('lists images and pulls from a registry with a progress stream', async () => {
    const images = await docker(['images', '--format', '{{.Repository}}:{{.Tag}}']);
    expect(images.stdout.split('\n')).toContain('busybox:latest');

    registry = await startRegistry();
    const img = await busyboxImage({ Cmd: ['echo', 'from-registry'] });
    await uploadImage(registry.host, 'test/bb', '1', img);
    const ref = `${registry.host}/test/bb:1`;
    const pull = await docker(['pull', ref]);
    expect(pull.stderr).toBe('');
    expect(pull.stdout).toContain(`Status: Downloaded newer image for ${ref}`);
    expect(pull.status).toBe(0);
    const ran = await docker(['run', '--rm', '--network', 'none', ref]);
    expect(ran.stdout).toBe('from-registry\n');
    expect((await docker(['tag', ref, 'mine:v1'])).status).toBe(0);
    const history = await docker(['history', '-q', 'mine:v1']);
    expect(history.stdout.split('\n')[0]).toMatch(/^sha256:[0-9a-f]{12}|^[0-9a-f]{12}$/);
    const rmi = await docker(['rmi', 'mine:v1']);
    expect(rmi.stdout).toBe('Untagged: mine:v1\n');
    const missing = await docker(['pull', `${registry.host}/test/nothere:1`]);
    expect(missing.status).toBe(1);
  });

  it("answers an old client with Docker's version error", async () => {
    const r = await dockerCli(agent, { DOCKER_API_VERSION: '1.30' })(['ps']);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/client version 1\.30 is too old/);
  });
});
