// Runs execs in running containers and keeps the terminal resizer of each named exec while it
// runs (`exec -t` window changes); health probes run here too, with a timeout and capped output.
import { FlotillaError } from '../../../shared/errors/index.js';
import type { Logger } from '../../../shared/log/index.js';
import { ProbeServers } from '../health/probe-servers.js';
import type { ContainerRecord } from '../container/record.js';
import type { Runc } from '../runc/runc.js';
import type { AttachStreams, ExecOptions } from '../types.js';
import { execInContainer } from './exec.js';

/** What a probe keeps of its output, as Docker's health log. */
const PROBE_OUTPUT_MAX_BYTES = 4096;

export class ExecSessions {
  /** Running execs by id (those started with one): how to resize their terminal. */
  private readonly resizers = new Map<string, (rows: number, cols: number) => void>();

  /** Health checks through a long-lived helper per container (cheaper than a runc exec each). */
  private readonly probes: ProbeServers;

  constructor(
    private readonly deps: {
      runtimeOf(rec: ContainerRecord): Runc;
      bundleDir(id: string): string;
      log: Logger;
      /** flotilla-probe's path; null: health checks always use runc exec. */
      probeHelper?: string | null;
    },
  ) {
    this.probes = new ProbeServers({
      hostOf: (rec) => this.host(rec),
      log: deps.log,
      binary: deps.probeHelper,
    });
  }

  /** Runs a process to its end; with an `execId`, `resize` reaches its terminal meanwhile. */
  async run(
    rec: ContainerRecord,
    opts: ExecOptions,
    streams: AttachStreams,
    execId?: string,
  ): Promise<number> {
    if (rec.state.status === 'paused')
      throw new FlotillaError('CONTAINER_PAUSED', { id: rec.name });
    if (rec.state.status !== 'running')
      throw new FlotillaError('CONTAINER_NOT_RUNNING', { id: rec.name });
    const host = this.host(rec);
    if (!execId) return execInContainer(host, rec, opts, streams);
    this.resizers.set(execId, () => undefined); // until a terminal exists (none without -t)
    try {
      return await execInContainer(host, rec, opts, streams, undefined, (resize) =>
        this.resizers.set(execId, resize),
      );
    } finally {
      this.resizers.delete(execId);
    }
  }

  /** Resizes the terminal of a running `exec -t` (a no-op for an exec without one). */
  resize(execId: string, rows: number, cols: number): void {
    const resize = this.resizers.get(execId);
    if (!resize) throw new FlotillaError('EXEC_NOT_FOUND', { id: execId });
    if (rows > 0 && cols > 0) resize(rows, cols);
  }

  /**
   * A health probe: killed inside the container after `timeoutMs`. It runs in the container's
   * probe server when one serves, else with its own `runc exec`.
   */
  async probe(
    rec: ContainerRecord,
    cmd: string[],
    timeoutMs: number,
  ): Promise<{ exitCode: number; output: string }> {
    const served = await this.probes.probe(rec, cmd, timeoutMs);
    if (served) return served;
    const chunks: Buffer[] = [];
    const keep = (d: Buffer) => {
      if (chunks.reduce((n, c) => n + c.length, 0) < PROBE_OUTPUT_MAX_BYTES) chunks.push(d);
    };
    const code = await execInContainer(
      this.host(rec),
      rec,
      { cmd },
      { onStdout: keep, onStderr: keep },
      timeoutMs,
    );
    return {
      exitCode: code,
      output: Buffer.concat(chunks).subarray(0, PROBE_OUTPUT_MAX_BYTES).toString(),
    };
  }

  /** The container's checks have ended (it stopped, or the agent is stopping). */
  endProbes(id: string): void {
    this.probes.release(id);
  }

  close(): void {
    this.probes.stopAll();
  }

  private host(rec: ContainerRecord) {
    return { runc: this.deps.runtimeOf(rec), bundleDir: (id: string) => this.deps.bundleDir(id) };
  }
}
