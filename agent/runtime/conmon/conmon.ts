// Starts conmon for one container with the recipe verified on this host (docs/design/runtime.md,
// "Start sequence"): sync and start socketpairs as fds 3 and 4, --full-attach, k8s-file log, exit
// and persist dirs, our runc root. conmon double-forks, so the container survives the agent; we
// learn the pid from the sync pipe.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { FlotillaError } from '../../../shared/errors/index.js';

export interface ConmonPaths {
  conmonBinary: string;
  runcBinary: string;
  runcRoot: string;
  bundle: string;
  exitDir: string;
  persistDir: string;
  socketDir: string;
  logPath: string;
  /** `none` (--log-driver none): conmon writes no log at all. @default k8s-file */
  logDriver?: 'k8s-file' | 'none';
  logSizeMaxBytes?: number;
  /** Terminals keep stdin open when an attached client leaves (detach keys). */
  leaveStdinOpen?: boolean;
}

export interface ConmonStartResult {
  /** The container's init pid (from the sync pipe). */
  pid: number;
  conmonPid: number;
  conmonStartTime: string;
}

/** Field 22 of /proc/<pid>/stat: distinguishes a live process from a recycled pid. */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return rest[19];
  } catch {
    return undefined;
  }
}

function readLine(sock: Readable, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => finish(new Error('timed out waiting for conmon')), timeoutMs);
    const finish = (err?: Error) => {
      clearTimeout(timer);
      sock.off('data', onData);
      sock.off('end', onEnd);
      if (err) reject(err);
      else resolve(buf.split('\n')[0]);
    };
    const onData = (c: Buffer) => {
      buf += c.toString();
      if (buf.includes('\n')) finish();
    };
    const onEnd = () => (buf ? finish() : finish(new Error('conmon closed the sync pipe')));
    sock.on('data', onData);
    sock.on('end', onEnd);
  });
}

export async function startConmon(
  id: string,
  name: string,
  p: ConmonPaths,
  o: { tty: boolean; stdin: boolean },
): Promise<ConmonStartResult> {
  const args = [
    '--api-version',
    '1',
    '-c',
    id,
    '-u',
    id,
    '-n',
    name,
    '-r',
    p.runcBinary,
    '-b',
    p.bundle,
    '-p',
    `${p.bundle}/pidfile`,
    '-P',
    `${p.bundle}/conmon.pid`,
    '-l',
    p.logDriver === 'none' ? 'none:/dev/null' : `k8s-file:${p.logPath}`,
    '--exit-dir',
    p.exitDir,
    '--persist-dir',
    p.persistDir,
    '--full-attach',
    '--socket-dir-path',
    p.socketDir,
    '--syslog',
    '--log-level',
    'error',
    `--runtime-arg=--root=${p.runcRoot}`,
  ];
  if (p.logSizeMaxBytes) args.push('--log-size-max', String(p.logSizeMaxBytes));
  if (p.leaveStdinOpen) args.push('--leave-stdin-open');
  if (o.tty) args.push('-t');
  if (o.stdin) args.push('-i');
  // libuv makes each extra 'pipe' a socketpair: fd 3 is the sync pipe, fd 4 the start pipe.
  const child = spawn(p.conmonBinary, args, {
    stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'],
    env: { ...process.env, _OCI_SYNCPIPE: '3', _OCI_STARTPIPE: '4' },
    detached: true,
    // conmon's cgroup v1 OOM handler creates a file named "oom" in its working directory (as
    // podman runs it, from the bundle): keep it there, not in the agent's cwd.
    cwd: p.bundle,
  });
  const sync = child.stdio[3] as Readable;
  const startPipe = child.stdio[4] as Writable;
  try {
    const stderr: Buffer[] = [];
    child.stderr!.on('data', (c: Buffer) => stderr.push(c));
    const exited = new Promise<number>((resolve, reject) => {
      child.on('error', reject);
      child.on('exit', (code) => resolve(code ?? 1));
    });
    const line = readLine(sync, 60_000);
    line.catch(() => undefined);
    startPipe.write('0');
    const code = await exited;
    if (code !== 0)
      throw new FlotillaError('CONTAINER_RUNTIME_FAILED', {
        id,
        detail: `conmon exited with ${code}: ${Buffer.concat(stderr).toString().trim()}`,
      });
    const msg = JSON.parse(await line) as { data: number; message?: string };
    const conmonPid = Number(readFileSync(`${p.bundle}/conmon.pid`, 'utf8').trim());
    if (msg.data < 0) {
      const err = new Error(msg.message ?? 'runc create failed') as Error & {
        runcMessage?: string;
        conmonPid?: number;
      };
      err.runcMessage = msg.message ?? '';
      err.conmonPid = conmonPid;
      throw err;
    }
    return { pid: msg.data, conmonPid, conmonStartTime: processStartTime(conmonPid) ?? '' };
  } finally {
    sync.destroy();
    startPipe.destroy();
    child.stderr?.destroy();
    child.unref();
  }
}
