// Commands to a running conmon through the `ctl` fifo in the container's bundle: "1 rows cols"
// resizes its terminal, "2 0 0" reopens the log file (after a rotation).
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';

/** Writes one command line; a conmon that is gone (no reader) is not an error. */
export async function writeCtl(bundleDir: string, line: string): Promise<void> {
  // O_NONBLOCK: never hang on a fifo whose reader (conmon) is gone.
  const fh = await open(join(bundleDir, 'ctl'), constants.O_WRONLY | constants.O_NONBLOCK).catch(
    () => undefined,
  );
  if (!fh) return;
  await fh.write(`${line}\n`).catch(() => undefined);
  await fh.close();
}
