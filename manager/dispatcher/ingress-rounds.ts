// The routing mesh's endpoint set (ingress services and their task addresses) as agents hold it:
// recomputed on store events and sent to every session as one diff per round.
import type { Logger } from '../../shared/log/index.js';
import { diffIngress, type IngressChange, type IngressService } from '../../shared/model/index.js';
import { ingressEndpoints, publishedPorts, receivesTraffic } from '../ingress/index.js';
import type { ObjectStore, StoreEvent } from '../store/index.js';
import { RoundScheduler } from './round-scheduler.js';
import { ingressChangesMessage, type AgentSession } from './session.js';

/** Least time between two routing-mesh rounds that only add addresses (see RoundScheduler). */
const ingressAddIntervalMs = 250;

export class IngressRounds {
  /** The endpoint set as last computed; `version` counts its changes. */
  private state: { services: IngressService[]; version: number } = { services: [], version: 0 };
  /** Every address in that set (a task leaving it makes the next round urgent). */
  private addrs = new Set<string>();
  private readonly rounds = new RoundScheduler(ingressAddIntervalMs, () => this.round());
  /** Encodes a message sent to every session once (set when the gRPC service exists). */
  encodeOnce: <T extends object>(msg: T) => T = (msg) => msg;

  constructor(
    private readonly deps: {
      store: ObjectStore;
      log: Logger;
      sessions: ReadonlyMap<string, AgentSession>;
    },
  ) {}

  /** The endpoint set a new session starts from. */
  get current(): { services: IngressService[]; version: number } {
    return this.state;
  }

  /** Computes the set from the store as it is now (before any session opens). */
  start(): void {
    this.compute();
  }

  stop(): void {
    this.rounds.stop();
  }

  /**
   * Schedules a round when the event can change the endpoint set: urgent when it can take an
   * address out (a task leaving the set, or a service changed), so agents stop sending that task
   * new connections while its own agent waits out the drain delay before stopping it.
   */
  onStoreEvent(e: StoreEvent): void {
    if (this.affectsIngress(e)) this.rounds.schedule(this.mayLeaveIngress(e));
  }

  /** Recomputes the routing mesh's endpoint set; its changes, none when it did not change. */
  private compute(): IngressChange[] {
    const services = ingressEndpoints(
      this.deps.store.list('service'),
      this.deps.store.list('task'),
    );
    const changes = diffIngress(this.state.services, services);
    if (changes.length > 0) {
      this.state = { services, version: this.state.version + 1 };
      this.addrs = new Set(services.flatMap((x) => x.addrs));
    }
    return changes;
  }

  private round(): void {
    const from = this.state.version;
    const changes = this.compute();
    if (changes.length === 0) return;
    this.deps.log.debug(
      { services: this.state.services.length, changes: changes.length },
      'ingress endpoints changed',
    );
    // The same message to every session: encoded once.
    const message = this.encodeOnce(ingressChangesMessage(changes));
    for (const s of this.deps.sessions.values())
      s.sendIngressChanges(message, from, this.state.services, this.state.version);
  }

  /** A service change, or a task in the endpoint set that no longer receives traffic. */
  private mayLeaveIngress(e: StoreEvent): boolean {
    if (e.kind !== 'task') return true;
    const addr = e.object.status.address;
    if (!addr || !this.addrs.has(addr)) return false;
    return e.type === 'delete' || !receivesTraffic(e.object);
  }

  /** Only services with ingress ports (or that had them) and their tasks matter to the mesh. */
  private affectsIngress(e: StoreEvent): boolean {
    if (e.kind === 'service') return true;
    if (e.kind !== 'task') return false;
    const s = this.deps.store.get('service', e.object.serviceId);
    return s ? publishedPorts(s).some((p) => p.mode === 'ingress') : false;
  }
}
