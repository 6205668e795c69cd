// Attach plumbing: connects clients to a container's stdio through conmon's attach socket, and
// holds the attachers of a container that has not started yet until its next start connects them
// (before the process runs, so no output is lost). The socket bridge itself is seqpacket-bridge.ts.
import { join } from 'node:path';
import { FlotillaError } from '../../../shared/errors/index.js';
import type { ContainerRecord } from '../container/record.js';
import type { AttachSession, AttachStreams } from '../types.js';
import { openBridge, type Bridge } from './seqpacket-bridge.js';

interface PendingAttach {
  streams: AttachStreams;
  resolve: (s: AttachSession) => void;
  reject: (e: unknown) => void;
}

/** The waiting attachers of one start, their bridges already starting. */
export interface EarlyAttach {
  /** Waits for each bridge to connect (the socket exists once conmon runs) and hands over. */
  connect(): Promise<void>;
  /** The start failed: close the bridges and fail the attachers. */
  fail(err: unknown): void;
}

export class AttachHub {
  private readonly pending = new Map<string, PendingAttach[]>();

  constructor(private readonly deps: { bundleDir(id: string): string }) {}

  /** Connects now to a running container, or at the next start of a created or exited one. */
  attach(rec: ContainerRecord, streams: AttachStreams): Promise<AttachSession> {
    if (rec.state.status === 'running' || rec.state.status === 'paused')
      return this.open(rec, streams).session();
    if (rec.state.status !== 'created' && rec.state.status !== 'exited')
      return Promise.reject(new FlotillaError('CONTAINER_NOT_RUNNING', { id: rec.name }));
    return new Promise((resolve, reject) => {
      const list = this.pending.get(rec.id) ?? [];
      list.push({ streams, resolve, reject });
      this.pending.set(rec.id, list);
    });
  }

  /**
   * Opens the bridges of the attachers waiting for this start before conmon runs, so the
   * helpers' start-up overlaps conmon's and `runc create`'s; they connect once the socket exists.
   */
  openEarly(rec: ContainerRecord): EarlyAttach {
    const list = this.pending.get(rec.id) ?? [];
    this.pending.delete(rec.id);
    const opened = list.map((p) => ({ p, a: this.open(rec, p.streams, 15_000) }));
    return {
      connect: async () => {
        for (const { p, a } of opened) {
          try {
            p.resolve(await a.session());
          } catch (err) {
            p.reject(err);
          }
        }
      },
      fail: (err) => {
        for (const { p, a } of opened) {
          a.bridge.close();
          p.reject(err);
        }
      },
    };
  }

  /** Connects the attachers that arrived while a start was under way (after openEarly). */
  async connectPending(rec: ContainerRecord): Promise<void> {
    const list = this.pending.get(rec.id);
    if (!list) return;
    this.pending.delete(rec.id);
    for (const p of list) {
      try {
        p.resolve(await this.open(rec, p.streams).session());
      } catch (err) {
        p.reject(err);
      }
    }
  }

  failPending(id: string, err: unknown): void {
    const list = this.pending.get(id);
    this.pending.delete(id);
    for (const p of list ?? []) p.reject(err);
  }

  /**
   * Starts the bridge helper at once; `session()` waits for it to connect and wires stdin.
   * `waitForSocketMs` lets a bridge start before conmon has made its attach socket.
   */
  private open(
    rec: ContainerRecord,
    streams: AttachStreams,
    waitForSocketMs = 0,
  ): { bridge: Bridge; session(): Promise<AttachSession> } {
    const stdinMode =
      !streams.stdin || !rec.config.OpenStdin ? 'none' : rec.config.Tty ? 'keep' : 'eof';
    const bridge = openBridge(
      join(this.deps.bundleDir(rec.id), 'attach'),
      stdinMode,
      { onStdout: streams.onStdout, onStderr: streams.onStderr },
      20_000,
      waitForSocketMs,
    );
    const session = async (): Promise<AttachSession> => {
      try {
        await bridge.ready;
      } catch (err) {
        bridge.close();
        throw new FlotillaError('CONTAINER_NOT_RUNNING', { id: rec.name }, { cause: err });
      }
      if (stdinMode !== 'none' && streams.stdin) {
        streams.stdin.on('data', (d: Buffer | string) =>
          bridge.write(typeof d === 'string' ? Buffer.from(d) : d),
        );
        streams.stdin.on('end', () => bridge.endStdin());
      }
      return { done: bridge.done, close: () => bridge.close() };
    };
    return { bridge, session };
  }
}
