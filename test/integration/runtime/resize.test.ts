// Live window resize, end to end: the CLI runs on a pty (python3 drives it like a terminal
// emulator), the test resizes that pty (the kernel sends the CLI SIGWINCH), and `stty size` inside
// the container must follow, for `exec -it`, `run -it` and `attach` to a tty container.
import { describe, it } from 'vitest';
import { runPtyDriver } from '../../harness/pty-driver.js';
import { bundlePath, TestAgent, useTestAgent } from './harness.js';

const agent = new TestAgent();

useTestAgent(agent);

// Starts the CLI on a 24x80 pty, waits for `stty size` to say so, resizes the pty to 40x100 and
// waits for `stty size` to say that. Prints a JSON summary and the whole transcript.
const driver = `
args=json.loads(sys.argv[2])
pid,fd=pty.fork()
if pid==0:
    fcntl.ioctl(0,termios.TIOCSWINSZ,struct.pack('HHHH',24,80,0,0))
    os.execvp('node',['node',sys.argv[1]]+args)
def size_becomes(want, t):
    end=time.time()+t
    while time.time()<end:
        mark=len(out)
        os.write(fd,b'stty size\\r')
        if pump(1.5, want) and want in out[mark:]: return True
    return False
prompt=pump(float(sys.argv[3]),b'# ')
before=size_becomes(b'24 80',15)
fcntl.ioctl(fd,termios.TIOCSWINSZ,struct.pack('HHHH',40,100,0,0))
after=size_becomes(b'40 100',15)
os.write(fd,b'exit\\r'); pump(10)
os.waitpid(pid,0)
print(json.dumps({'prompt':prompt,'before':before,'after':after}))
sys.stdout.write(out.decode(errors='replace'))
`;

async function onTerminal(
  args: string[],
  promptWaitSec = 30,
): Promise<{ prompt: boolean; before: boolean; after: boolean; out: string }> {
  const r = await runPtyDriver<{ prompt: boolean; before: boolean; after: boolean }>(
    driver,
    [bundlePath, JSON.stringify(args), `${promptWaitSec}`],
    agent.env,
  );
  return { ...(r.summary ?? { prompt: false, before: false, after: false }), out: r.out };
}

describe('window resize', () => {
  it('exec -it follows the client terminal', async ({ expect }) => {
    expect(
      (
        await agent.cli([
          'run',
          '-d',
          '--network',
          'none',
          '--name',
          'rz-exec',
          'busybox',
          'sleep',
          '600',
        ])
      ).status,
    ).toBe(0);
    const r = await onTerminal(['exec', '-it', 'rz-exec', 'sh']);
    expect(r, r.out).toMatchObject({ prompt: true, before: true, after: true });
    expect((await agent.cli(['rm', '-f', 'rz-exec'])).status).toBe(0);
  });

  it('run -it follows the client terminal', async ({ expect }) => {
    const r = await onTerminal(['run', '--rm', '-it', '--network', 'none', 'busybox', 'sh']);
    expect(r, r.out).toMatchObject({ prompt: true, before: true, after: true });
  });

  it('attach to a tty container follows the client terminal', async ({ expect }) => {
    expect(
      (
        await agent.cli([
          'run',
          '-dit',
          '--network',
          'none',
          '--name',
          'rz-attach',
          'busybox',
          'sh',
        ])
      ).status,
    ).toBe(0);
    // The shell printed its prompt before we attached, so there is none to wait for.
    const r = await onTerminal(['attach', 'rz-attach'], 2);
    expect(r, r.out).toMatchObject({ before: true, after: true });
    await agent.cli(['rm', '-f', 'rz-attach']);
  });

  it('refuses a resize of an exec that does not exist', async ({ expect }) => {
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        {
          socketPath: agent.env.FLOTILLA_HOST!.replace('unix://', ''),
          method: 'POST',
          path: '/exec/0123456789abcdef/resize?h=10&w=10',
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(404);
  });
});
