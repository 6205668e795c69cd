// A real systemd-journald for tests, closed off from the host: it runs in a mount namespace of its
// own with tmpfs over /run/systemd and /run/log, so its sockets and its (volatile) journal exist
// only there. The host reaches both through /proc/PID/root; journalctl reads the journal files.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';

export const journaldBinary = '/lib/systemd/systemd-journald';

export interface TestJournald {
  /** The native-protocol socket, as a path the host can connect to. */
  socket: string;
  /** Every entry in the journal, as journalctl's JSON objects. */
  entries(): Promise<Record<string, string>[]>;
  stop(): Promise<void>;
}

const script = [
  'set -e',
  'mount -t tmpfs -o mode=0755 tmpfs /run/systemd',
  'mkdir -p /run/log && mount -t tmpfs -o mode=0755 tmpfs /run/log',
  'mkdir -p /run/systemd/journal',
  `exec ${journaldBinary}`,
].join('\n');

export async function startJournald(): Promise<TestJournald> {
  // unshare execs (no fork): the child's PID is journald's.
  const child: ChildProcess = spawn(
    'unshare',
    ['-m', '--propagation', 'private', 'sh', '-c', script],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const root = `/proc/${child.pid}/root`;
  const socket = `${root}/run/systemd/journal/socket`;
  const deadline = Date.now() + 15_000;
  while (!existsSync(socket)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`systemd-journald did not start: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    socket,
    async entries() {
      const { stdout } = await promisify(execFile)(
        'journalctl',
        ['-D', `${root}/run/log/journal`, '-o', 'json', '--no-pager'],
        { maxBuffer: 64 * 1024 * 1024 },
      );
      return stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, string>);
    },
    async stop() {
      if (child.exitCode !== null) return;
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await gone;
    },
  };
}
