// One agent's session stream on the manager side: remembers what it told the agent about each task
// so that only real changes (a new task, a new desired state or spec) are sent, and coalesces the
// changes of one event burst into a single Assignments message.
import type * as grpc from '@grpc/grpc-js';
import type { AgentMessage__Output, ManagerMessage, SecretPayload } from '../../proto/index.js';
import type { Logger } from '../../shared/log/index.js';
import type { IngressChange, IngressService, Task } from '../../shared/model/index.js';
import { assignmentKey } from './convert.js';
import type { NodeSecrets } from './secret-delivery.js';

type Change = { action: 'ASSIGN' | 'REMOVE'; taskId: string; taskJson: string };

export class AgentSession {
  /** taskId → assignmentKey of what the agent was last sent. */
  private readonly sent = new Map<string, string>();
  private queued = new Map<string, Change>();
  private flushScheduled = false;
  private peersSent = '';
  /** Version of the routing mesh's endpoint set the agent holds (-1: none sent yet). */
  private ingressVersion = -1;
  closed = false;
  /** The secrets and configs this node holds (absent: the dispatcher delivers none). */
  secrets?: NodeSecrets;

  constructor(
    readonly nodeId: string,
    private readonly call: grpc.ServerDuplexStream<AgentMessage__Output, ManagerMessage>,
    readonly log: Logger,
  ) {}

  /** Sent once when the session opens: every task of the node, so the agent can reconcile. */
  sendFull(tasks: readonly Task[]): void {
    const changes: Change[] = [];
    // Secrets first: a task must never arrive before the files it needs.
    if (this.secrets)
      this.write({ secrets: { full: true, set: this.secrets.full(tasks), removed: [] } });
    for (const t of tasks) {
      this.sent.set(t.id, assignmentKey(t));
      changes.push({ action: 'ASSIGN', taskId: t.id, taskJson: JSON.stringify(t) });
    }
    this.write({ assignments: { full: true, changes } });
  }

  /** A task of this node changed (or was created). */
  taskChanged(t: Task): void {
    // Before the assignment; also on status changes, so a stopped task's secrets leave the node.
    if (this.secrets) this.sendSecrets(this.secrets.track(t));
    const key = assignmentKey(t);
    if (this.sent.get(t.id) === key) return;
    this.sent.set(t.id, key);
    this.enqueue({ action: 'ASSIGN', taskId: t.id, taskJson: JSON.stringify(t) });
  }

  /** A task left this node (deleted, or moved away). */
  taskGone(taskId: string): void {
    if (!this.sent.delete(taskId)) return;
    this.enqueue({ action: 'REMOVE', taskId, taskJson: '' });
    if (this.secrets) this.sendSecrets({ set: [], removed: this.secrets.forget(taskId) });
  }

  private sendSecrets(c: { set: SecretPayload[]; removed: string[] }): void {
    if (c.set.length > 0 || c.removed.length > 0)
      this.write({ secrets: { full: false, set: c.set, removed: c.removed } });
  }

  accept(msg: {
    nodeId: string;
    heartbeatPeriodMs: number;
    managers: string[];
    nodeSubnet: string;
  }): void {
    this.write({ accepted: msg });
  }

  /** The complete set of routes to the other nodes' subnets (sent only when it changed). */
  sendPeers(routes: { nodeId: string; subnet: string; via: string }[], nodeSubnet: string): void {
    const key = JSON.stringify([routes, nodeSubnet]);
    if (key === this.peersSent) return;
    this.peersSent = key;
    this.write({ peers: { routes, nodeSubnet } });
  }

  /** The complete routing-mesh endpoint set at `version` (sent when the session opens). */
  sendIngress(services: readonly IngressService[], version: number): void {
    if (version === this.ingressVersion) return;
    this.ingressVersion = version;
    this.write({ ingress: { services: services.map(ingressServiceMessage) } });
  }

  /**
   * The set's changes from version `from` to `version` (`message`: ingressChangesMessage, built
   * once for every session); an agent that does not hold `from` (it was sent another version)
   * gets the complete set instead.
   */
  sendIngressChanges(
    message: ManagerMessage,
    from: number,
    services: readonly IngressService[],
    version: number,
  ): void {
    if (this.ingressVersion !== from) return this.sendIngress(services, version);
    this.ingressVersion = version;
    this.write(message);
  }

  close(err?: Partial<grpc.StatusObject>): void {
    if (this.closed) return;
    this.closed = true;
    if (err) this.call.emit('error', err);
    else this.call.end();
  }

  private enqueue(c: Change): void {
    this.queued.set(c.taskId, c);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      const changes = [...this.queued.values()];
      this.queued = new Map();
      if (changes.length > 0) this.write({ assignments: { full: false, changes } });
    });
  }

  /** Any other message (log requests). */
  send(msg: ManagerMessage): void {
    this.write(msg);
  }

  private write(msg: ManagerMessage): void {
    if (this.closed) return;
    this.call.write(msg);
  }
}

/** The routing mesh's changes as the message every session sends. */
export function ingressChangesMessage(changes: readonly IngressChange[]): ManagerMessage {
  return {
    ingressChanges: {
      changes: changes.map((c) => ({
        serviceId: c.serviceId,
        ...(c.set ? { set: ingressServiceMessage(c.set) } : {}),
        removed: c.removed ?? false,
        addedAddrs: c.addedAddrs ?? [],
        removedAddrs: c.removedAddrs ?? [],
      })),
    },
  };
}

function ingressServiceMessage(s: IngressService) {
  return { serviceId: s.serviceId, name: s.name, ports: s.ports, addrs: s.addrs };
}
