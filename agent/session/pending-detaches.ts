// Detaches that no manager answered: a removed container's attachment must still be released, so
// its id is kept in <dataRoot>/node/pending-detaches.json (0600) and sent again on every retry
// (the membership retries periodically and at start) until a manager answers.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { toFlotillaError } from '../../shared/errors/index.js';
import { writeFileAtomic } from '../../shared/fs/atomic.js';
import type { Logger } from '../../shared/log/index.js';
import type { ClusterAttachments } from '../runtime/index.js';

export class PendingDetaches implements ClusterAttachments {
  private readonly file: string;
  private pending = new Set<string>();
  private loaded = false;
  /** One retry or write at a time, so the file is never written by two at once. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly inner: ClusterAttachments,
    dir: string,
    private readonly log: Logger,
  ) {
    this.file = join(dir, 'pending-detaches.json');
  }

  attach: ClusterAttachments['attach'] = (req) => this.inner.attach(req);

  /** Never fails for an unreachable manager: the id is kept and sent again by `retry`. */
  async detach(id: string): Promise<void> {
    try {
      await this.inner.detach(id);
    } catch (err) {
      // A refusal (another node's attachment) is an answer: nothing to send again.
      if (!unreachable(err)) throw err;
      this.log.warn({ err, attachment: id }, 'releasing the attachment failed, will retry');
      await this.serial(async () => {
        await this.load();
        this.pending.add(id);
        await this.save();
      });
    }
  }

  /** Sends every kept detach again; those a manager answered are forgotten. */
  retry(): Promise<void> {
    return this.serial(async () => {
      await this.load();
      if (this.pending.size === 0) return;
      for (const id of [...this.pending])
        try {
          await this.inner.detach(id);
          this.pending.delete(id);
          this.log.info({ attachment: id }, 'attachment released on retry');
        } catch {
          // Still no manager: kept for the next retry.
        }
      await this.save();
    });
  }

  /** The ids still waiting (tests, diagnostics). */
  async held(): Promise<string[]> {
    await this.serial(() => this.load());
    return [...this.pending];
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async load(): Promise<void> {
    if (this.loaded) return;
    const raw = await readFile(this.file, 'utf8').catch(() => '[]');
    try {
      this.pending = new Set((JSON.parse(raw) as unknown[]).filter((x) => typeof x === 'string'));
    } catch {
      this.pending = new Set();
    }
    this.loaded = true;
  }

  private async save(): Promise<void> {
    await writeFileAtomic(this.file, JSON.stringify([...this.pending]) + '\n', { mode: 0o600 });
  }
}

/** No manager answered (as opposed to a manager's refusal). */
function unreachable(err: unknown): boolean {
  const e = toFlotillaError(err);
  return e.code === 'MANAGER_UNREACHABLE' || e.kind === 'unavailable';
}
