// `top`: the host's `ps` with the caller's arguments (Docker's `ps_args`, default `-ef`), its rows
// kept for the container's processes only, as dockerd does (daemon/top_unix.go).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { FlotillaError } from '../../../shared/errors/index.js';

export interface TopResult {
  Titles: string[];
  Processes: string[][];
}

/** Docker refuses `k=PID…` output renames other than `pid=`, which would hide the PID column. */
export function checkPsArgs(psArgs: string): void {
  for (const m of psArgs.matchAll(/\s+([^\s]*)=\s*(PID[^\s]*)/g))
    if (m[1] !== 'pid')
      throw new FlotillaError('INVALID_ARGUMENT', {
        detail: `specifying "${m[1]}=${m[2]}" is not allowed`,
      });
}

/** Keeps the header and the rows whose PID column is one of `pids`; the last column keeps spaces. */
export function parsePsOutput(output: string, pids: number[]): TopResult {
  const lines = output.split('\n').filter((l) => l.trim() !== '');
  const Titles = (lines[0] ?? '').trim().split(/\s+/);
  const pidIndex = Titles.indexOf('PID');
  if (pidIndex < 0)
    throw new FlotillaError('INVALID_ARGUMENT', { detail: "Couldn't find PID field in ps output" });
  const wanted = new Set(pids);
  const Processes: string[][] = [];
  for (const line of lines.slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (!wanted.has(Number(fields[pidIndex]))) continue;
    const n = Titles.length - 1;
    Processes.push([...fields.slice(0, n), fields.slice(n).join(' ')]);
  }
  return { Titles, Processes };
}

export async function top(pids: number[], psArgs = '-ef'): Promise<TopResult> {
  checkPsArgs(psArgs);
  const args = psArgs.split(' ').filter(Boolean);
  const run = async (a: string[]) => (await promisify(execFile)('ps', a)).stdout;
  let out: string;
  try {
    out = await run([...args, '-q', pids.join(',')]);
  } catch {
    // Some options (f) do not go with -q: dockerd retries without it.
    try {
      out = await run(args);
    } catch (err) {
      throw new FlotillaError(
        'INVALID_ARGUMENT',
        { detail: `ps: ${(err as { stderr?: string }).stderr?.trim() || String(err)}` },
        { cause: err },
      );
    }
  }
  return parsePsOutput(out, pids);
}
