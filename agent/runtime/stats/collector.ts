// `stats` and `top` for one container: cgroup counters with CPU % over the interval since the
// previous read (kept per container), and `ps` of the processes runc reports (stats/top.ts).
import { top, type TopResult } from './top.js';
import { cpus } from 'node:os';
import { FlotillaError } from '../../../shared/errors/index.js';
import type { ContainerRecord } from '../container/record.js';
import { hostCgroupLayout } from '../runc/cgroup-mode.js';
import type { Runc } from '../runc/runc.js';
import type { ContainerStats } from '../types.js';
import { cpuPercent, sample } from './cgroup-stats.js';

/** A stats sample older than this is not used as the start of a CPU % interval. */
const STATS_WINDOW_MAX_MS = 10_000;

export class StatsCollector {
  /** Each container's last stats sample and when it was read, for CPU % over the interval. */
  private readonly prev = new Map<
    string,
    { raw: ReturnType<typeof sample> | undefined; atMs: number }
  >();

  constructor(private readonly deps: { runtimeOf(rec: ContainerRecord): Runc }) {}

  async stats(rec: ContainerRecord): Promise<ContainerStats> {
    const running = rec.state.status === 'running' || rec.state.status === 'paused';
    const read = () =>
      running
        ? sample(`/flotilla/${rec.id}`, rec.state.pid, {
            unified: hostCgroupLayout().mode === 'unified',
          })
        : undefined;
    let prev = this.prev.get(rec.id);
    // CPU % needs two samples. Without a recent one (a first `stats --no-stream`), take a 1 s
    // window now, as Docker's daemon waits for two collection cycles; an old one would average
    // over however long ago it was read.
    if (running && (!prev || Date.now() - prev.atMs > STATS_WINDOW_MAX_MS)) {
      prev = { raw: read(), atMs: Date.now() };
      await new Promise((r) => setTimeout(r, 1000));
    }
    const cur = read();
    if (cur) this.prev.set(rec.id, { raw: cur, atMs: Date.now() });
    return {
      id: rec.id,
      name: rec.name,
      read: new Date().toISOString(),
      cpuPercent: cur && prev?.raw ? cpuPercent(prev.raw, cur) : 0,
      cpuTotalNs: cur?.cpuNs ?? 0,
      systemNs: cur?.systemNs ?? 0,
      onlineCpus: cpus().length,
      memoryUsageBytes: cur?.memUsage ?? 0,
      memoryLimitBytes: cur?.memLimit ?? 0,
      pids: cur?.pids ?? 0,
      netRxBytes: cur?.netRx ?? 0,
      netTxBytes: cur?.netTx ?? 0,
      blkReadBytes: cur?.blkRead ?? 0,
      blkWriteBytes: cur?.blkWrite ?? 0,
    };
  }

  /** The container is gone: its last sample goes too. */
  forget(id: string): void {
    this.prev.delete(id);
  }

  async top(rec: ContainerRecord, psArgs?: string): Promise<TopResult> {
    if (rec.state.status !== 'running' && rec.state.status !== 'paused')
      throw new FlotillaError('CONTAINER_NOT_RUNNING', { id: rec.name });
    return top(await this.deps.runtimeOf(rec).ps(rec.id), psArgs || undefined);
  }
}
