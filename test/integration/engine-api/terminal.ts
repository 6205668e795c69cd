// Runs a CLI (flotilla or docker) on a pseudo-terminal, as a user at a shell would: python3's pty
// module gives the client a real tty, so `exec -it` and `run -it` pass the client's own checks.
import { runPtyDriver } from '../../harness/pty-driver.js';

// Waits for the shell prompt, types `lines` one by one, waits for `expect`, then `exit`.
const driver = `
argv=json.loads(sys.argv[1]); lines=json.loads(sys.argv[2]); want=sys.argv[3].encode()
pid,fd=pty.fork()
if pid==0:
    os.execvp(argv[0],argv)
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
export async function onTerminal(
  argv: string[],
  env: NodeJS.ProcessEnv,
  lines: string[],
  expect: string,
): Promise<TerminalResult> {
  const r = await runPtyDriver<Omit<TerminalResult, 'out'>>(
    driver,
    [JSON.stringify(argv), JSON.stringify(lines), expect],
    env,
  );
  return { ...(r.summary ?? { prompt: false, seen: false, status: -1 }), out: r.out };
}
