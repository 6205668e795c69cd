// Which python3 runs the runtime's small helpers (attach bridge, exec pty). It is resolved once:
// FLOTILLA_PYTHON, else Debian's /usr/bin/python3 (the listed dependency), else `python3` on PATH.
// Not PATH first: a version-manager shim there (pyenv's is a chain of bash scripts) cost 1-2 s per
// attach and exec on the development host, which was most of `run --rm`'s latency.
import { existsSync } from 'node:fs';

let resolved: string | undefined;

export function pythonBinary(env: NodeJS.ProcessEnv = process.env): string {
  if (resolved) return resolved;
  resolved =
    env.FLOTILLA_PYTHON || (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');
  return resolved;
}

/**
 * Arguments before `-c`: -I (isolated: no user site, no PYTHON* env) and -S (no `site` import),
 * which the helpers do not need and which cost ~30 ms per start.
 */
export const pythonFlags = ['-I', '-S'];
