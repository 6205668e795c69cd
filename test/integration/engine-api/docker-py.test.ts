// docker-py (Debian's python3-docker 7.1) against a Flotilla agent's socket: the calls a Python
// program makes (containers.run, logs, exec_run, stop, remove; images.list) and what it gets back.
import { describe, expect, it } from 'vitest';
import { TestAgent, useTestAgent } from '../runtime/harness.js';
import { dockerPy } from './docker-client.js';

const agent = new TestAgent();
useTestAgent(agent);
const py = (script: string) => dockerPy(agent)(script);

describe('docker-py on the agent socket', () => {
  it('pings and reads the server version', async () => {
    const r = await py(
      `print(client.ping(), client.version()['ApiVersion'], client.info()['OSType'])`,
    );
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('True 1.50 linux\n');
  });

  it('runs a detached container, reads its logs, execs in it, stops and removes it', async () => {
    const r = await py(`
import time
c = client.containers.run('busybox', ['sh', '-c', 'echo started; echo oops >&2; exec sleep 300'],
                          detach=True, name='pyc', network_mode='none')
print('status', c.status)
for _ in range(100):
    if b'oops' in c.logs():
        break
    time.sleep(0.1)
print('logs', c.logs(stdout=True, stderr=False).decode().strip(), c.logs(stdout=False, stderr=True).decode().strip())
code, out = c.exec_run(['sh', '-c', 'echo in-$HOSTNAME-$X; exit 5'], environment={'X': 'y'})
print('exec', code, out.decode().strip() == 'in-' + c.id[:12] + '-y' or out.decode().strip())
c.stop(timeout=1)
c.reload()
print('after stop', c.status, c.attrs['State']['ExitCode'])
c.remove()
print('names', [x.name for x in client.containers.list(all=True)])
`);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(
      'status created\nlogs started oops\nexec 5 True\nafter stop exited 137\nnames []\n',
    );
  });

  // docker-py follows the logs from the start and ends with the exit: `logs --follow` must not end
  // before the json-file driver holds the last line (it once returned '' in CI).
  it('runs to completion and returns the output', async () => {
    const r = await py(
      `print(client.containers.run('busybox', ['echo', 'hi'], remove=True, network_mode='none').decode(), end='')`,
    );
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('hi\n');
  });

  // docker-py sends booleans as Python writes them (force=True): Docker reads any but 0/false/no.
  it('force-removes a running container (force=True)', async () => {
    const r = await py(`
c = client.containers.run('busybox', ['sleep', '300'], detach=True, network_mode='none')
c.remove(force=True)
print('left', [x.id for x in client.containers.list(all=True) if x.id == c.id])
`);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('left []\n');
  });

  it('reports a missing container as docker.errors.NotFound', async () => {
    const r = await py(`
try:
    client.containers.get('nothere')
except docker.errors.NotFound as e:
    print('not found:', e.explanation)
`);
    expect(r.stdout).toBe('not found: No such container: nothere\n');
  });

  it('lists images with their tags', async () => {
    const r = await py(`print([t for i in client.images.list() for t in i.tags])`);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe("['busybox:latest']\n");
  });
});
