// Runs a client (flotilla or docker) on a pseudo-terminal, as a user at a shell would: a python3
// script forks it on a pty (python's pty module), drives it, then prints one JSON summary line
// followed by the whole transcript. The tests give the driving part; the plumbing is here.
import { spawn } from 'node:child_process';

/**
 * Python defining `out` (the transcript so far) and `pump(t, until=None)`: reads the pty `fd` for
 * up to t seconds, True as soon as `until` has appeared. The driver forks and sets `fd` first.
 */
const prelude = `
import os,pty,sys,time,select,fcntl,termios,struct,json
out=b''
def pump(t, until=None):
    global out
    end=time.time()+t
    while time.time()<end:
        r,_,_=select.select([fd],[],[],0.1)
        if r:
            try: out+=os.read(fd,4096)
            except OSError: return False
        if until and until in out: return True
    return False
`;

/**
 * Runs `prelude + driver` with `args` (sys.argv[1:]); resolves the JSON summary the driver printed
 * first, with the transcript, or `undefined` and everything printed when it printed none.
 */
export function runPtyDriver<T>(
  driver: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ summary: T | undefined; out: string }> {
  return new Promise((resolve) => {
    const p = spawn('python3', ['-c', prelude + driver, ...args], { env });
    let o = '';
    p.stdout.on('data', (d: Buffer) => (o += d.toString()));
    p.stderr.on('data', (d: Buffer) => (o += d.toString()));
    p.on('close', () => {
      const nl = o.indexOf('\n');
      try {
        resolve({ summary: JSON.parse(o.slice(0, nl)) as T, out: o.slice(nl + 1) });
      } catch {
        resolve({ summary: undefined, out: o });
      }
    });
  });
}
