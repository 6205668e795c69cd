// The runtime's event bus: Docker's container events for `events` and the executor, and the
// per-container signals that `wait` and `stop` block on (process exited, exit settled, removed).
import { EventEmitter } from 'node:events';
import { FlotillaError } from '../../shared/errors/index.js';
import type { ContainerRecord } from './container/record.js';
import type { HealthCheckRun } from './health/monitor.js';
import type { ObjectEvent } from '../../shared/engine/index.js';
import type { ContainerEvent } from './types.js';

export type WaitCondition = 'not-running' | 'next-exit' | 'removed';

export class ContainerEvents {
  private readonly bus = new EventEmitter();

  constructor() {
    this.bus.setMaxListeners(0);
  }

  publish(
    rec: ContainerRecord,
    action: ContainerEvent['action'],
    attributes: Record<string, string> = {},
  ): void {
    // Docker's order: a start mounts the volumes and connects the network first; a container
    // that died has them released after.
    if (action === 'start' || action === 'restart')
      this.publishAttachments(rec, 'mount', 'connect');
    this.publishContainer(rec, action, attributes);
    if (action === 'die') this.publishAttachments(rec, 'unmount', 'disconnect');
  }

  /** Images, volumes and networks (Docker's other event types); see publish for the order. */
  publishObject(e: ObjectEvent): void {
    this.bus.emit('object', e);
  }

  subscribeObjects(listener: (e: ObjectEvent) => void): () => void {
    this.bus.on('object', listener);
    return () => this.bus.off('object', listener);
  }

  private publishAttachments(
    rec: ContainerRecord,
    mount: 'mount' | 'unmount',
    connect: 'connect' | 'disconnect',
  ): void {
    for (const m of rec.mounts)
      if (m.Type === 'volume' && m.Name)
        this.publishObject({
          type: 'volume',
          action: mount,
          id: m.Name,
          attributes:
            mount === 'mount'
              ? {
                  container: rec.id,
                  destination: m.Destination,
                  driver: 'local',
                  propagation: m.Propagation ?? '',
                  'read/write': String(m.RW),
                }
              : { container: rec.id, driver: 'local' },
        });
    // The network's id and driver are the network component's: the agent's event log adds them.
    if (rec.network?.networkName)
      this.publishObject({
        type: 'network',
        action: connect,
        id: rec.network.networkName,
        attributes: { container: rec.id, name: rec.network.networkName },
      });
  }

  private publishContainer(
    rec: ContainerRecord,
    action: ContainerEvent['action'],
    attributes: Record<string, string>,
  ): void {
    const e: ContainerEvent = {
      type: 'container',
      action,
      id: rec.id,
      name: rec.name,
      time: new Date().toISOString(),
      attributes: { image: rec.image, name: rec.name, ...rec.config.Labels, ...attributes },
    };
    this.bus.emit('event', e);
  }

  subscribe(listener: (e: ContainerEvent) => void): () => void {
    this.bus.on('event', listener);
    return () => this.bus.off('event', listener);
  }

  /** A health probe ran (for metrics: Docker's event stream has no event per probe). */
  checked(id: string, run: HealthCheckRun): void {
    this.bus.emit('health-check', id, run);
  }

  subscribeHealthChecks(listener: (id: string, run: HealthCheckRun) => void): () => void {
    this.bus.on('health-check', listener);
    return () => this.bus.off('health-check', listener);
  }

  /** The process has exited and its code is recorded; the run is not released yet. */
  exited(id: string, code: number): void {
    this.bus.emit(`exited:${id}`, code);
  }

  /** The exit is recorded and the run released (runc state, network, mounts). */
  settled(id: string, code: number): void {
    this.bus.emit(`exit:${id}`, code);
  }

  removed(id: string): void {
    this.bus.emit(`removed:${id}`);
  }

  /** Resolves with the code once the running process's exit is settled. */
  nextSettled(id: string): Promise<number> {
    return new Promise((resolve) => this.bus.once(`exit:${id}`, resolve));
  }

  /**
   * Docker's wait conditions: `next-exit` answers once the exit is recorded (what `run` needs),
   * `not-running` once the run is also released (so a following start or rm finds it released),
   * `removed` once the container is gone. Resolves with the record's exit code.
   */
  wait(rec: ContainerRecord, condition: WaitCondition, signal?: AbortSignal): Promise<number> {
    const running =
      rec.state.status === 'running' ||
      rec.state.status === 'paused' ||
      rec.state.status === 'restarting';
    if (condition === 'not-running' && !running) return Promise.resolve(rec.state.exitCode);
    return new Promise<number>((resolve, reject) => {
      const key =
        condition === 'removed'
          ? `removed:${rec.id}`
          : condition === 'next-exit'
            ? `exited:${rec.id}`
            : `exit:${rec.id}`;
      const onEvent = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve(rec.state.exitCode);
      };
      const onAbort = () => {
        this.bus.off(key, onEvent);
        reject(new FlotillaError('INVALID_ARGUMENT', { detail: 'wait cancelled' }));
      };
      this.bus.once(key, onEvent);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}
