// Serves the manager's log requests on the session stream: reads a container's log from the local
// engine and sends it back in chunks (lines gathered per event-loop turn, at most 256 a chunk),
// the last one marked done. A cancel, or the session ending, aborts the read.
import type { LogsChunk, LogsRequest__Output } from '../../proto/index.js';
import { FlotillaError, toFlotillaError } from '../../shared/errors/index.js';

export interface LogSourceOptions {
  tail?: number;
  follow?: boolean;
  /** Unix seconds (fractional). */
  since?: number;
  signal: AbortSignal;
}

/** The engine's `logs` (ContainerRuntime.logs) narrowed to what the session needs. */
export type LogSource = (
  containerId: string,
  opts: LogSourceOptions,
) => AsyncIterable<{ stream: 'stdout' | 'stderr'; time: string; data: Buffer | string }>;

const maxLinesPerChunk = 256;

export class LogStreams {
  private readonly running = new Map<string, AbortController>();

  constructor(
    private readonly source: LogSource | undefined,
    private readonly send: (m: { logs: LogsChunk }) => void,
  ) {}

  handle(req: LogsRequest__Output): void {
    if (req.cancel) {
      this.running.get(req.requestId)?.abort();
      return;
    }
    if (this.running.has(req.requestId)) return;
    const ac = new AbortController();
    this.running.set(req.requestId, ac);
    void this.serve(req, ac).finally(() => this.running.delete(req.requestId));
  }

  cancelAll(): void {
    for (const ac of this.running.values()) ac.abort();
    this.running.clear();
  }

  private async serve(req: LogsRequest__Output, ac: AbortController): Promise<void> {
    const requestId = req.requestId;
    let lines: { stream: string; time: string; text: string }[] = [];
    let scheduled = false;
    const flush = () => {
      scheduled = false;
      if (lines.length === 0 || ac.signal.aborted) return;
      this.send({ logs: { requestId, lines, done: false } });
      lines = [];
    };
    try {
      if (!this.source)
        throw new FlotillaError('NODE_LOGS_UNAVAILABLE', {
          nodeId: '',
          reason: 'this agent has no container engine logs',
        });
      const entries = this.source(req.containerId, {
        ...(req.tail >= 0 ? { tail: req.tail } : {}),
        follow: req.follow,
        ...(req.since > 0 ? { since: req.since } : {}),
        signal: ac.signal,
      });
      for await (const e of entries) {
        if (ac.signal.aborted) break;
        const text = (typeof e.data === 'string' ? e.data : e.data.toString('utf8')).replace(
          /\n$/,
          '',
        );
        lines.push({ stream: e.stream, time: e.time, text });
        if (lines.length >= maxLinesPerChunk) flush();
        else if (!scheduled) {
          scheduled = true;
          setImmediate(flush);
        }
      }
      flush();
      if (!ac.signal.aborted) this.send({ logs: { requestId, lines: [], done: true } });
    } catch (err) {
      flush();
      if (ac.signal.aborted) return;
      const e = toFlotillaError(err);
      this.send({ logs: { requestId, lines: [], done: true, errorJson: JSON.stringify(e) } });
    }
  }
}
