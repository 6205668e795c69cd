// Runs a CLI (flotilla or docker) on a pseudo-terminal, as a user at a shell would: python3's pty
// module gives the client a real tty, so `exec -it` and `run -it` pass the client's own checks.
import { spawn } from 'node:child_process';

// Waits for the shell prompt, types `lines` one by one, waits for `expect`, then `exit`.
const driver = `
import os,pty,sys,time,select,json
argv=json.loads(sys.argv[1]); lines=json.loads(sys.argv[2]); want=sys.argv[3].encode()
pid,fd=pty.fork()
if pid==0:
    os.execvp(argv[0],argv)
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
prompt=pump(30,b'# ')
for l in lines: os.write(fd,(l+'\\r').encode())
seen=pump(30,want)
os.write(fd,b'exit\\r'); pump(10)
_,st=os.waitpid(pid,0)
print(json.dumps({'prompt':prompt,'seen':seen,'status':os.waitstatus_to_exitcode(st)}))
sys.stdout.write(out.decode(errors='replace'))
`;

export interface TerminalResult {
  prompt: boolean;
  seen: boolean;
  status: number;
  out: string;
}

/** Runs argv on a pty with env, types `lines` at the shell prompt and waits for `expect`. */
export function onTerminal(
  argv: string[],
  env: NodeJS.ProcessEnv,
  lines: string[],
  expect: string,
): Promise<TerminalResult> {
  return new Promise((resolve) => {
    const p = spawn(
      'python3',
      ['-c', driver, JSON.stringify(argv), JSON.stringify(lines), expect],
      { env },
    );
    let o = '';
    p.stdout.on('data', (d: Buffer) => (o += d.toString()));
    p.stderr.on('data', (d: Buffer) => (o += d.toString()));
    p.on('close', () => {
      const nl = o.indexOf('\n');
      try {
        resolve({ ...(JSON.parse(o.slice(0, nl)) as Omit<TerminalResult, 'out'>), out: o });
      } catch {
        resolve({ prompt: false, seen: false, status: -1, out: o });
      }
    });
  });
}
