// `--cidfile FILE`, as Docker's client does it: the file is made (exclusively) before the
// container, so a second run with the same file is refused before it creates anything; the id is
// written once the container exists, and the empty file removed if it never does.
import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import { FlotillaError } from '../../../shared/errors/index.js';

export class CidFile {
  private fd?: number;

  /** @throws CIDFILE_EXISTS when the file exists; INVALID_FLAG_VALUE when it cannot be made */
  constructor(readonly path: string | undefined) {
    if (!path) return;
    try {
      this.fd = openSync(path, 'wx', 0o644);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') throw new FlotillaError('CIDFILE_EXISTS', { file: path });
      throw new FlotillaError('INVALID_FLAG_VALUE', {
        flag: '--cidfile',
        value: path,
        reason: `cannot create the file: ${code ?? (err as Error).message}`,
      });
    }
  }

  write(id: string): void {
    if (this.fd === undefined) return;
    writeSync(this.fd, id);
    closeSync(this.fd);
    this.fd = undefined;
  }

  /** The container was not created: the file goes too. */
  discard(): void {
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
    rmSync(this.path!, { force: true });
  }
}
