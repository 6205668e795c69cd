// The Docker API forms of the placement options, driven by the docker CLI and docker-py against an
// agent: EndpointsConfig IPAMConfig (--ip, --ip6 refused), `?platform=` on create,
// HostConfig.VolumesFrom and Healthcheck.StartInterval; the same checks as Flotilla's own CLI.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { uploadImage } from '../image/helpers.js';
import { busyboxImage, TestAgent, useTestAgent } from '../runtime/harness.js';
import { dockerCli, dockerPy } from './docker-client.js';

const agent = new TestAgent([], '10.251.58.0/24');
let registry: RunningRegistry | undefined;
useTestAgent(agent, async () => {
  await registry?.stop();
});
let cli: ReturnType<typeof dockerCli> | undefined;
const docker = (args: string[]) => (cli ??= dockerCli(agent))(args);
const py = (script: string) => dockerPy(agent)(script);

describe('placement options through the Docker API', () => {
  beforeAll(async () => {
    const r = await agent.cli(['network', 'create', '--subnet', '10.251.59.0/24', 'dnet']);
    expect(r.stderr).toBe('');
  });
  afterAll(async () => {
    await agent.removeAll();
    await agent.cli(['network', 'rm', 'dnet']);
  });

  it('docker run --ip puts the address in the container; refusals are Docker’s', async () => {
    const r = await docker(
      ['run', '--rm', '--network', 'dnet', '--ip', '10.251.59.66', 'busybox'].concat([
        'ip',
        '-4',
        '-o',
        'addr',
        'show',
        'eth0',
      ]),
    );
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('inet 10.251.59.66/24');
    const bridge = await docker(['run', '--rm', '--ip', '10.251.58.9', 'busybox', 'true']);
    expect(bridge.status).toBe(125);
    expect(bridge.stderr).toContain(
      'user specified IP address is supported on user defined networks only',
    );
    const v6 = await docker(['run', '--rm', '--network', 'dnet', '--ip6', 'fd00::9', 'busybox']);
    expect(v6.status).toBe(125);
    expect(v6.stderr).toContain('IPAMConfig.IPv6Address is not supported');
  });

  it('docker run --platform refuses an image of another platform', async () => {
    const r = await docker(['run', '--rm', '--platform', 'linux/arm64', 'busybox', 'true']);
    expect(r.status).toBe(125);
    expect(r.stderr).toContain(
      'image with reference busybox was found but does not match the specified platform: wanted linux/arm64, actual: linux/amd64',
    );
    const ok = await docker(
      ['run', '--rm', '--network', 'none', '--platform', 'linux/amd64'].concat([
        'busybox',
        'echo',
        'ok',
      ]),
    );
    expect(ok.stdout).toBe('ok\n');
  });

  it('docker run --platform pulls a missing image for that platform (?platform= on the pull)', async () => {
    registry = await startRegistry();
    await uploadImage(
      registry.host,
      'test/plat',
      '1',
      await busyboxImage({ Cmd: ['echo', 'pulled'] }),
    );
    const r = await docker([
      'run',
      '--rm',
      '--network',
      'none',
      '--platform',
      'linux/amd64',
      `${registry.host}/test/plat:1`,
    ]);
    expect(r.stdout).toBe('pulled\n');
    expect(r.status).toBe(0);
  });

  it('docker --volumes-from and --health-start-interval reach the container', async () => {
    expect((await docker(['create', '--name', 'dsrc', '-v', 'dvol:/data', 'busybox'])).status).toBe(
      0,
    );
    const w = await docker([
      'run',
      '--rm',
      '--network',
      'none',
      '--volumes-from',
      'dsrc',
      'busybox',
      'sh',
      '-c',
      'echo via-docker > /data/f',
    ]);
    expect(w.stderr).toBe('');
    const c = await docker([
      'create',
      '--volumes-from',
      'dsrc:ro',
      '--health-cmd',
      'true',
      '--health-start-interval',
      '2s',
      'busybox',
    ]);
    const f = await docker([
      'inspect',
      '-f',
      '{{json .HostConfig.VolumesFrom}} {{.Config.Healthcheck.StartInterval}}',
      c.stdout.trim(),
    ]);
    expect(f.stdout).toBe('["dsrc:ro"] 2s\n');
  });

  it('docker-py: volumes_from and an endpoint ipv4_address', async () => {
    const r = await py(`
net = client.api.create_networking_config({'dnet': client.api.create_endpoint_config(ipv4_address='10.251.59.67')})
c = client.api.create_container('busybox', ['sh', '-c', 'cat /data/f; ip -4 -o addr show eth0'],
    host_config=client.api.create_host_config(volumes_from=['dsrc'], network_mode='dnet'),
    networking_config=net)
client.api.start(c['Id'])
client.api.wait(c['Id'])
# The log file may trail the exit by a moment: read until both lines are there.
import time
for _ in range(100):
    out = client.api.logs(c['Id']).decode()
    if len(out.splitlines()) >= 2:
        break
    time.sleep(0.1)
print(out.splitlines()[0], '10.251.59.67/24' in out)
print(client.api.inspect_container(c['Id'])['HostConfig']['VolumesFrom'])
client.api.remove_container(c['Id'])
`);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe("via-docker True\n['dsrc']\n");
  });
});
