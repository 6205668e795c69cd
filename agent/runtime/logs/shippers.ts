// One LogShipper per running container whose driver ships (json-file, local, journald, syslog):
// started when the container starts or is adopted, drained before its exit is announced (so `logs`
// after `run` has every line), and asked before its spool is rotated.
import { join } from 'node:path';
import type { Logger } from '../../../shared/log/index.js';
import type { ContainerRecord } from '../container/record.js';
import { isShipped } from './drivers/config.js';
import { openSink } from './drivers/sinks.js';
import { LogShipper } from './shipper.js';

export class LogShippers {
  private readonly running = new Map<string, LogShipper>();
  /** Exited containers whose last lines are still on their way to the driver. */
  private readonly finishing = new Set<string>();

  constructor(
    private readonly deps: { log: Logger; dirOf(id: string): string; daemonName?: string },
  ) {}

  /** Starts shipping a started or adopted container's log; a no-op for k8s-file and none. */
  start(rec: ContainerRecord): void {
    if (this.running.has(rec.id)) return;
    const shipper = this.create(rec);
    if (!shipper) return;
    this.running.set(rec.id, shipper);
    shipper.start();
  }

  /** Ships what is left of an exited container's spool (even one that exited while we were away). */
  async finish(rec: ContainerRecord): Promise<void> {
    const shipper = this.running.get(rec.id) ?? this.create(rec);
    this.running.delete(rec.id);
    if (!shipper) return;
    this.finishing.add(rec.id);
    try {
      await shipper.finish();
    } finally {
      this.finishing.delete(rec.id);
    }
  }

  /**
   * Is the driver's file still short of lines the container wrote? True from the exit until
   * `finish` is done: `logs --follow` must not end before (docker-py's `run` reads its output so).
   */
  shipping(id: string): boolean {
    return this.finishing.has(id);
  }

  /** May the spool be rotated now? Only once its shipper has moved on to the live file. */
  async canRotate(id: string): Promise<boolean> {
    return (await this.running.get(id)?.onLiveFile()) ?? true;
  }

  /** The agent stops: ship what is there, keep the cursors; conmon keeps writing the spools. */
  async stopAll(): Promise<void> {
    const all = [...this.running.values()];
    this.running.clear();
    await Promise.all(all.map((s) => s.finish()));
  }

  private create(rec: ContainerRecord): LogShipper | undefined {
    const driver = rec.options.logDriver ?? 'k8s-file';
    if (!isShipped(driver)) return undefined;
    const dir = this.deps.dirOf(rec.id);
    const log = this.deps.log;
    const subject = {
      id: rec.id,
      name: rec.name,
      imageName: rec.image,
      imageId: rec.imageId,
      daemonName: this.deps.daemonName ?? 'flotilla',
      labels: rec.config.Labels,
      env: rec.config.Env,
    };
    return new LogShipper(
      rec.logPath,
      join(dir, 'log-cursor.json'),
      openSink(driver, rec.options.logOpts, subject, dir),
      (err) => log.warn({ err, containerId: rec.id }, 'log shipping failed, will retry'),
    );
  }
}
