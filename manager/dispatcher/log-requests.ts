// Log requests to agents over their session streams: each request gets an id, the agent answers
// with LogsChunk messages carrying it, and the caller reads them as an async iterable of line
// batches. Aborting the caller's signal sends a cancel; a session that ends fails its requests.
import { randomBytes } from 'node:crypto';
import type { LogsChunk__Output, ManagerMessage } from '../../proto/index.js';
import { FlotillaError } from '../../shared/errors/index.js';

export interface ContainerLogLine {
  stream: 'stdout' | 'stderr';
  /** RFC 3339 as the agent's runtime recorded it. */
  time: string;
  text: string;
}

export interface ContainerLogOptions {
  /** Last N lines; undefined = all. */
  tail?: number;
  follow?: boolean;
  /** Unix seconds. */
  since?: number;
  signal?: AbortSignal;
}

interface Pending {
  nodeId: string;
  push(lines: ContainerLogLine[]): void;
  end(err?: Error): void;
}

export class LogRequests {
  private readonly pending = new Map<string, Pending>();

  /** Streams one container's log from the agent whose session `write` sends on. */
  open(
    nodeId: string,
    write: (m: ManagerMessage) => void,
    containerId: string,
    o: ContainerLogOptions,
  ): AsyncIterable<ContainerLogLine[]> {
    const requestId = randomBytes(8).toString('hex');
    const queue: ContainerLogLine[][] = [];
    let finished = false;
    let failure: Error | undefined;
    let wake: (() => void) | undefined;
    const notify = () => {
      wake?.();
      wake = undefined;
    };
    this.pending.set(requestId, {
      nodeId,
      push: (lines) => {
        queue.push(lines);
        notify();
      },
      end: (err) => {
        finished = true;
        failure = err;
        this.pending.delete(requestId);
        notify();
      },
    });
    const onAbort = () => {
      if (!finished) write({ logs: { requestId, cancel: true } });
      this.pending.get(requestId)?.end();
    };
    o.signal?.addEventListener('abort', onAbort, { once: true });
    write({
      logs: {
        requestId,
        containerId,
        tail: o.tail ?? -1,
        follow: !!o.follow,
        since: o.since ?? 0,
      },
    });
    return {
      [Symbol.asyncIterator]: async function* () {
        try {
          for (;;) {
            while (queue.length > 0) yield queue.shift()!;
            if (finished) break;
            await new Promise<void>((r) => (wake = r));
          }
          if (failure) throw failure;
        } finally {
          o.signal?.removeEventListener('abort', onAbort);
          onAbort();
        }
      },
    };
  }

  /** A chunk from node `nodeId`; chunks for requests of other nodes are ignored. */
  chunk(nodeId: string, c: LogsChunk__Output): void {
    const p = this.pending.get(c.requestId);
    if (!p || p.nodeId !== nodeId) return;
    if (c.lines.length > 0)
      p.push(
        c.lines.map((l) => ({
          stream: l.stream === 'stderr' ? 'stderr' : 'stdout',
          time: l.time,
          text: l.text,
        })),
      );
    if (c.done) {
      let err: Error | undefined;
      if (c.errorJson) {
        try {
          err = FlotillaError.fromJSON(JSON.parse(c.errorJson));
        } catch {
          err = new FlotillaError('NODE_LOGS_UNAVAILABLE', { nodeId, reason: c.errorJson });
        }
      }
      p.end(err);
    }
  }

  /** The node's session ended: its open requests fail. */
  sessionEnded(nodeId: string): void {
    for (const p of [...this.pending.values()])
      if (p.nodeId === nodeId)
        p.end(new FlotillaError('NODE_LOGS_UNAVAILABLE', { nodeId, reason: 'session ended' }));
  }
}
