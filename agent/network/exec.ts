// Runs the host networking tools (ip, iptables-restore, sysctl files). Every failure becomes a
// NETWORK_COMMAND_FAILED error naming the command and its stderr, so callers never parse messages.
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { FlotillaError } from '../../shared/errors/index.js';

export interface RunOptions {
  /** Bytes written to the command's stdin (iptables-restore input). */
  input?: string;
  /** Resolve with the error instead of throwing (for probes like `iptables -C`). */
  allowFailure?: boolean;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function run(cmd: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      cmd,
      args,
      { maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        if (err && !opts.allowFailure) {
          reject(
            new FlotillaError(
              'NETWORK_COMMAND_FAILED',
              {
                command: [cmd, ...args].join(' ').slice(0, 300),
                stderr: stderr.trim() || err.message,
              },
              { cause: err },
            ),
          );
          return;
        }
        resolve({ code, stdout, stderr });
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

export async function ip(...args: string[]): Promise<string> {
  return (await run('ip', args)).stdout;
}

/** Writes a sysctl under /proc/sys (e.g. net/ipv4/conf/flt0/route_localnet). */
export async function setSysctl(path: string, value: string): Promise<void> {
  await writeFile(`/proc/sys/${path}`, value);
}

export async function getSysctl(path: string): Promise<string> {
  return (await readFile(`/proc/sys/${path}`, 'utf8')).trim();
}
