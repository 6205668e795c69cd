// Runs commands for end-to-end tests: whole scripts with their output kept for the failure message,
// and short probes (inside a machine's network namespace too). Never throws on a non-zero exit:
// tests assert on the returned code and output.
import { spawn } from 'node:child_process';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout and stderr interleaved, as a person would have seen them. */
  output: string;
}

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Kills the process group (SIGKILL) after this long; the result then has code 124. */
  timeoutMs?: number;
  /** Also copy the output to this stream as it arrives (long scripts under a watching person). */
  echo?: NodeJS.WritableStream;
}

export function run(cmd: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    // detached: its own process group, so a timeout kills the script and everything it started
    // in the foreground, by that one group id.
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    let output = '';
    child.stdout.on('data', (b: Buffer) => {
      stdout += b;
      output += b;
      opts.echo?.write(b);
    });
    child.stderr.on('data', (b: Buffer) => {
      stderr += b;
      output += b;
      opts.echo?.write(b);
    });
    let timedOut = false;
    const timer =
      opts.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            if (child.pid !== undefined) {
              try {
                process.kill(-child.pid, 'SIGKILL');
              } catch {
                // already gone
              }
            }
          }, opts.timeoutMs);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      const c = timedOut ? 124 : (code ?? (signal ? 128 : 1));
      resolve({ code: c, stdout, stderr, output });
    });
  });
}

/** Runs CMD inside the network namespace NS (a simulated machine), as `ip netns exec` does. */
export function runInNetns(
  ns: string,
  cmd: string,
  args: string[],
  opts: RunOptions = {},
): Promise<RunResult> {
  return run('ip', ['netns', 'exec', ns, cmd, ...args], opts);
}

/**
 * GET url with curl, from the host (ns undefined) or from inside a machine's namespace. Returns the
 * body, or undefined when the request failed (connection refused, timeout, HTTP error).
 */
export async function httpGet(url: string, ns?: string): Promise<string | undefined> {
  const args = ['-fsS', '--max-time', '5', url];
  const r = ns ? await runInNetns(ns, 'curl', args) : await run('curl', args);
  return r.code === 0 ? r.stdout : undefined;
}

/** The last N lines of a long output, for assertion messages. */
export function tail(text: string, lines = 60): string {
  return text.split('\n').slice(-lines).join('\n');
}
