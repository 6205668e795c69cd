// The agent's event stream: container events from the runtime, volume and network events from the
// runtime and the network API, image events from the image service, all as Docker's
// events.Message, kept in a bounded history for --since and handed to GET /events subscribers.
import type { EngineEventMessage, ObjectEvent } from '../../shared/engine/index.js';
import type { ContainerEvent } from '../runtime/index.js';

export interface EventLogDeps {
  clock: { now(): number };
  /** A network's id and driver by name (a connect event names the network only). */
  networkOf?: (name: string) => { id: string; driver: string } | undefined;
  /** Events kept for --since. @default 1024 (Docker's daemon keeps 256) */
  historyLimit?: number;
}

export class EngineEventLog {
  /** A ring: `next` is where the next event goes once the history is full. */
  private readonly history: EngineEventMessage[] = [];
  private next = 0;
  private readonly listeners = new Set<(e: EngineEventMessage) => void>();

  constructor(private readonly deps: EventLogDeps) {}

  container(e: ContainerEvent): void {
    const ms = Date.parse(e.time) || this.deps.clock.now();
    this.record({
      status: e.action,
      id: e.id,
      from: e.attributes.image ?? '',
      Type: 'container',
      Action: e.action,
      Actor: { ID: e.id, Attributes: e.attributes },
      scope: 'local',
      time: Math.floor(ms / 1000),
      timeNano: ms * 1e6,
    });
  }

  object(e: ObjectEvent): void {
    let { id, attributes } = e;
    if (e.type === 'network' && (e.action === 'connect' || e.action === 'disconnect')) {
      const net = this.deps.networkOf?.(attributes.name ?? id);
      if (net) {
        id = net.id;
        attributes = { ...attributes, type: net.driver };
      }
    }
    const ms = this.deps.clock.now();
    this.record({
      ...(e.type === 'image' ? { status: e.action, id } : {}),
      Type: e.type,
      Action: e.action,
      Actor: { ID: id, Attributes: attributes },
      scope: 'local',
      time: Math.floor(ms / 1000),
      timeNano: ms * 1e6,
    });
  }

  /** Events of the history from sinceMs to untilMs (both inclusive), oldest first. */
  since(sinceMs: number, untilMs = Infinity): EngineEventMessage[] {
    const ordered = [...this.history.slice(this.next), ...this.history.slice(0, this.next)];
    return ordered.filter((e) => e.timeNano / 1e6 >= sinceMs && e.timeNano / 1e6 <= untilMs);
  }

  subscribe(listener: (e: EngineEventMessage) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private record(e: EngineEventMessage): void {
    const limit = this.deps.historyLimit ?? 1024;
    if (this.history.length < limit) this.history.push(e);
    else {
      this.history[this.next] = e;
      this.next = (this.next + 1) % limit;
    }
    for (const l of this.listeners) l(e);
  }
}
