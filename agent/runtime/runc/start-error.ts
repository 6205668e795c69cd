// Maps a failed `runc create` (as reported by conmon's sync pipe) to Docker's exit codes and a
// one-line message: 127 command not found, 126 not executable, 125 anything else.
import { FlotillaError } from '../../../shared/errors/index.js';

export function startErrorFrom(name: string, command: string, err: unknown): FlotillaError {
  if (err instanceof FlotillaError) return err;
  const raw =
    (err as { runcMessage?: string }).runcMessage ?? (err as Error).message ?? String(err);
  const msg = raw.split('\n').filter(Boolean).pop() ?? raw;
  const clean = (/msg="((?:[^"\\]|\\.)*)"/.exec(msg)?.[1] ?? msg).replace(/\\"/g, '"');
  if (
    /executable file not found|no such file or directory/.test(clean) &&
    /exec:|starting container process/.test(clean)
  )
    return new FlotillaError(
      'CONTAINER_COMMAND_NOT_FOUND',
      { id: name, command },
      { exitCode: 127, cause: err },
    );
  if (/permission denied|is a directory/.test(clean) && /exec/.test(clean))
    return new FlotillaError(
      'CONTAINER_COMMAND_NOT_EXECUTABLE',
      { id: name, command },
      { exitCode: 126, cause: err },
    );
  return new FlotillaError(
    'CONTAINER_START_FAILED',
    { id: name, reason: clean.replace(/^runc create failed: /, '') },
    { exitCode: 125, cause: err },
  );
}
