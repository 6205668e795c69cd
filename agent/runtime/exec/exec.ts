// Runs a process inside a running container with `runc exec` in the foreground: runc returns the
// process's exit code, copies our pipes to its stdio, and with -t allocates the terminal itself.
// A timed-out process is killed inside the container through its --pid-file (health probes).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { FlotillaError } from '../../../shared/errors/index.js';
import { mergeEnv } from '../bundle/merge.js';
import { withGroupAdd } from '../bundle/runtime-options.js';
import { resolveUser } from '../bundle/user.js';
import { pythonBinary, pythonFlags } from '../helpers/python.js';
import { ptyHelperScript } from './pty-helper.js';
import type { ContainerRecord } from '../container/record.js';
import type { AttachStreams, ExecOptions } from '../types.js';

export interface ExecHost {
  runc: { deps: { binary: string }; globalArgs: string[] };
  bundleDir(id: string): string;
}

/**
 * `runc exec` arguments (after the runtime's global ones) for `opts.cmd` in the container: its
 * user (with --group-add), working dir and env, as Docker's exec resolves them. `extra` goes
 * before the container id (e.g. `--detach`, `--preserve-fds`).
 */
export function runcExecArgs(
  host: ExecHost,
  rec: ContainerRecord,
  opts: ExecOptions,
  pidFile: string,
  extra: string[] = [],
): string[] {
  // The container's --group-add applies to its execs too, as in moby.
  const user = withGroupAdd(
    resolveUser(rec.rootfs, opts.user ?? rec.config.User),
    rec.options.groupAdd,
    rec.rootfs,
  );
  // runc exec starts from the container's process env, whose HOME is the container user's: the
  // exec's user gets its own, as `run -u` does, unless the image or the caller set HOME.
  const env = mergeEnv(
    rec.config.Env,
    rec.config.Env.some((e) => e.startsWith('HOME=')) ? [] : [`HOME=${user.home}`],
    opts.tty ? ['TERM=xterm'] : [],
    opts.env,
  );
  return [
    ...host.runc.globalArgs,
    'exec',
    '--pid-file',
    pidFile,
    '--cwd',
    opts.workingDir || rec.config.WorkingDir,
    '--user',
    `${user.uid}:${user.gid}`,
    ...user.additionalGids.flatMap((g) => ['--additional-gids', String(g)]),
    ...env.flatMap((e) => ['--env', e]),
    ...(opts.tty ? ['--tty'] : []),
    ...(opts.privileged ? ['--cap', 'CAP_SYS_ADMIN'] : []),
    ...extra,
    rec.id,
    ...opts.cmd,
  ];
}

export async function execInContainer(
  host: ExecHost,
  rec: ContainerRecord,
  opts: ExecOptions,
  streams: AttachStreams,
  timeoutMs?: number,
  /** Called once a tty exec is running, with a function that resizes its terminal. */
  onResizable?: (resize: (rows: number, cols: number) => void) => void,
): Promise<number> {
  if (!opts.cmd.length)
    throw new FlotillaError('INVALID_ARGUMENT', { detail: 'exec needs a command' });
  const pidFile = join(host.bundleDir(rec.id), `exec-${randomBytes(6).toString('hex')}.pid`);
  const args = runcExecArgs(host, rec, opts, pidFile);
  // With a terminal, runc runs on a pty of the helper's (pty-helper.ts); its errors then arrive
  // on stdout, so the tail of both streams is kept for the 126/127 mapping below. Its fd 3 takes
  // window sizes.
  const child = opts.tty
    ? spawn(
        pythonBinary(),
        [
          ...pythonFlags,
          '-c',
          ptyHelperScript,
          String(opts.rows ?? 0),
          String(opts.cols ?? 0),
          host.runc.deps.binary,
          ...args,
        ],
        { stdio: ['pipe', 'pipe', 'pipe', 'pipe'] },
      )
    : spawn(host.runc.deps.binary, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  if (opts.tty) {
    const ctl = child.stdio[3] as Writable;
    ctl.on('error', () => undefined);
    child.on('exit', () => ctl.destroy());
    onResizable?.((rows, cols) => {
      if (!ctl.destroyed) ctl.write(`${Math.max(1, rows)} ${Math.max(1, cols)}\n`);
    });
  }
  const errTail: Buffer[] = [];
  child.stdout.on('data', (d: Buffer) => {
    if (opts.tty && errTail.length < 16) errTail.push(d);
    streams.onStdout(d);
  });
  child.stderr.on('data', (d: Buffer) => {
    errTail.push(d);
    streams.onStderr(d);
  });
  child.stdin.on('error', () => undefined);
  if (streams.stdin) {
    streams.stdin.on('data', (d: Buffer | string) => child.stdin.write(d));
    streams.stdin.on('end', () => child.stdin.end());
  } else child.stdin.end();
  let timedOut = false;
  const timer = timeoutMs
    ? setTimeout(() => {
        timedOut = true;
        try {
          process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGKILL');
        } catch {
          child.kill('SIGKILL');
        }
      }, timeoutMs)
    : undefined;
  const code = await new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (c, sig) => resolve(c ?? (sig ? 128 + 9 : 1)));
  });
  if (timer) clearTimeout(timer);
  await rm(pidFile, { force: true });
  if (timedOut) return -1;
  const err = Buffer.concat(errTail).toString();
  if (code === 255 && /exec failed|unable to start container process/.test(err)) {
    if (/no such device or address/.test(err)) return code;
    if (/executable file not found|no such file or directory/.test(err)) return 127;
    if (/permission denied/.test(err)) return 126;
  }
  return code;
}
