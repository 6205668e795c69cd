// Pull and push progress as Docker prints it. On a terminal each layer owns one line that is
// redrawn in place (ANSI cursor up / erase line); elsewhere only status changes are printed, one
// line each, so logs and pipes stay readable.
import { formatBytes } from '../../shared/units/index.js';

export interface ProgressLine {
  id?: string;
  status: string;
  progress?: { current: number; total: number };
}

const BAR_WIDTH = 50;

export class ProgressRenderer {
  /** Line index of each layer id, in order of first appearance (TTY mode). */
  private readonly rows = new Map<string, number>();
  private lineCount = 0;
  /** Last printed status per id (plain mode). */
  private readonly lastStatus = new Map<string, string>();

  constructor(
    private readonly out: NodeJS.WritableStream & { isTTY?: boolean; columns?: number },
    private readonly tty = Boolean(out.isTTY),
  ) {}

  write(ev: ProgressLine): void {
    if (!this.tty) return this.writePlain(ev);
    const text = this.format(ev);
    if (!ev.id) {
      this.out.write(`${text}\n`);
      this.lineCount++;
      return;
    }
    const row = this.rows.get(ev.id);
    if (row === undefined) {
      this.rows.set(ev.id, this.lineCount);
      this.out.write(`${text}\n`);
      this.lineCount++;
      return;
    }
    const up = this.lineCount - row;
    // Up to the layer's row, erase it, write, and come back down to the bottom.
    this.out.write(`\x1b[${up}A\x1b[2K\r${text}\x1b[${up}B\r`);
  }

  private writePlain(ev: ProgressLine): void {
    if (ev.id) {
      if (this.lastStatus.get(ev.id) === ev.status) return;
      this.lastStatus.set(ev.id, ev.status);
    }
    this.out.write(`${ev.id ? `${ev.id}: ` : ''}${ev.status}\n`);
  }

  format(ev: ProgressLine): string {
    const head = ev.id ? `${ev.id}: ${ev.status}` : ev.status;
    if (!ev.progress || ev.progress.total <= 0) return head;
    const { current, total } = ev.progress;
    const filled = Math.min(BAR_WIDTH, Math.floor((current / total) * BAR_WIDTH));
    const bar =
      filled >= BAR_WIDTH
        ? '='.repeat(BAR_WIDTH)
        : `${'='.repeat(filled)}>${' '.repeat(BAR_WIDTH - filled - 1)}`;
    const line = `${head} [${bar}]  ${formatBytes(current)}/${formatBytes(total)}`;
    const cols = this.out.columns ?? 0;
    return cols > 0 && line.length >= cols ? line.slice(0, cols - 1) : line;
  }
}
