// The agent's side of the session: one bidirectional gRPC stream over mutual TLS to a manager.
// Sends the node description on open, heartbeats at the period the manager sets and batched task
// status updates; hands assignments to the executor. When the stream breaks it reconnects with
// exponential back-off (with jitter) to the next known manager; containers keep running meanwhile
// and the full assignment set on reconnect lets the executor reconcile without restarting them.
import * as grpc from '@grpc/grpc-js';
import { connectionSettled } from '../../shared/net/grpc-connection.js';
import { loadDispatcherProto } from '../../proto/index.js';
import type {
  AgentMessage,
  DispatcherClient,
  IngressService__Output,
  ManagerMessage__Output,
} from '../../proto/index.js';
import { FlotillaError } from '../../shared/errors/index.js';
import type { Logger } from '../../shared/log/index.js';
import type { IngressService, NodeDescription, Task } from '../../shared/model/index.js';
import type { AssignmentUpdate } from '../executor/index.js';
import type { Reporter } from '../executor/index.js';
import type { NodeIdentity } from './identity.js';
import type { NodeNetworkSync } from './node-network.js';
import { LogStreams, type LogSource } from './log-streams.js';
import { overlayChange, overlayNetwork } from './overlay-messages.js';
import type { CertificateRenewal } from './renewal.js';
import { isExpired, tryCertificateValidity } from '../../shared/tls/index.js';

export interface SessionClientDeps {
  identity: NodeIdentity;
  description: () => NodeDescription;
  executor: { apply(full: boolean, updates: AssignmentUpdate[]): Promise<void> | void };
  reporter: Reporter;
  log: Logger;
  /** Called when a manager tells us the current manager list (persist it). */
  onManagers?: (managers: string[]) => void;
  /** @default { initialMs: 200, maxMs: 10000 } */
  backoff?: { initialMs: number; maxMs: number };
  /** Shared channel options, e.g. one subchannel pool for many simulated agents. */
  channelOptions?: grpc.ChannelOptions;
  /** Node subnet and peer routes from the manager; absent = not applied (simulated agents). */
  network?: NodeNetworkSync;
  /** Container logs for the manager's log requests; absent = requests fail. */
  logs?: LogSource;
  /** Renews the node certificate over the session; absent = never renewed (old behaviour). */
  renewal?: CertificateRenewal;
  /** Holds the secrets and configs the manager sends (in memory); absent = dropped. */
  secrets?: {
    apply(
      full: boolean,
      set: { id: string; kind: string; data: Buffer }[],
      removed: string[],
    ): void;
  };
  /** Where the node certificate lives, for the message when it expired. */
  certFile?: string;
  /**
   * How long a connection to a manager may take before the next manager is tried: one on a
   * machine cut off from the network never answers, and gRPC alone waits 20 s or more.
   * @default 5000
   */
  connectTimeoutMs?: number;
}

export type SessionState = 'connecting' | 'connected' | 'stopped';

export class SessionClient {
  private readonly log: Logger;
  private stopped = false;
  private loop?: Promise<void>;
  private current?: {
    call: grpc.ClientDuplexStream<AgentMessage, ManagerMessage__Output>;
    client: DispatcherClient;
  };
  private wake?: () => void;
  /** The channel of a connection not yet made (closed by stop()). */
  private connecting?: grpc.Client;
  private next = 0;
  state: SessionState = 'connecting';
  /** Last error that ended a session (for tests and `agent info`). */
  lastError?: FlotillaError;
  /** Number of sessions opened (accepted) so far. */
  sessionsOpened = 0;

  constructor(private readonly deps: SessionClientDeps) {
    this.log = deps.log.child({ component: 'session', nodeId: deps.identity.nodeId });
  }

  async start(): Promise<void> {
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.state = 'stopped';
    this.wake?.();
    this.connecting?.close();
    this.current?.call.cancel();
    this.current?.client.close();
    await this.loop;
  }

  /** Keeps the managers a manager reported (on accept, and when one joins or leaves). */
  private learnManagers(addrs: string[]): void {
    const identity = this.deps.identity;
    if (addrs.length === 0 || addrs.join() === identity.managers.join()) return;
    identity.managers = [...addrs];
    this.log.info({ managers: addrs }, 'managers known');
    this.deps.onManagers?.(identity.managers);
  }

  private async run(): Promise<void> {
    const backoff = this.deps.backoff ?? { initialMs: 200, maxMs: 10_000 };
    let delay = backoff.initialMs;
    while (!this.stopped) {
      const managers = this.deps.identity.managers;
      const addr = managers[this.next++ % managers.length];
      const opened = this.sessionsOpened;
      try {
        this.refuseExpired();
        await this.session(addr);
      } catch (err) {
        this.lastError = err instanceof FlotillaError ? err : undefined;
        if (!this.stopped) this.log.warn({ err, manager: addr }, 'session ended, will reconnect');
      }
      if (this.stopped) break;
      this.state = 'connecting';
      if (this.sessionsOpened > opened) delay = backoff.initialMs;
      const wait = delay / 2 + Math.random() * (delay / 2);
      delay = Math.min(delay * 2, backoff.maxMs);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, wait);
        this.wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
  }

  /**
   * TLS would refuse an expired certificate anyway, with a message nobody can act on. A node whose
   * certificate expired while it was away must rejoin with a token (docs/design/pki.md).
   */
  private refuseExpired(): void {
    const notAfter = tryCertificateValidity(this.deps.identity.certPem)?.notAfter;
    if (!notAfter || !isExpired({ notAfter }, Date.now())) return;
    const err = new FlotillaError('NODE_CERTIFICATE_EXPIRED', {
      file: this.deps.certFile ?? 'the node identity',
      notAfter: notAfter.toISOString(),
    });
    if (this.lastError?.code !== err.code) this.log.error({ err }, 'node certificate expired');
    throw err;
  }

  private async session(addr: string): Promise<void> {
    const proto = loadDispatcherProto();
    const { identity } = this.deps;
    const creds = grpc.credentials.createSsl(
      Buffer.from(identity.caCertPem),
      Buffer.from(identity.keyPem),
      Buffer.from(identity.certPem),
    );
    // A manager cut off by the network never closes the stream: pings every 2 s, answered within
    // 3 s, find that out before the node-down grace (3 s after the last heartbeat reached any
    // manager) runs out far, so the agent moves to another manager instead of being taken for down.
    const client = new proto.flotilla.v1.Dispatcher(addr, creds, {
      'grpc.keepalive_time_ms': 2_000,
      'grpc.keepalive_timeout_ms': 3_000,
      'grpc.keepalive_permit_without_calls': 1,
      ...this.deps.channelOptions,
    }) as unknown as DispatcherClient;
    this.connecting = client;
    try {
      // A refused connection fails the call at once; one never answered is a manager cut off.
      const timeoutMs = this.deps.connectTimeoutMs ?? 5000;
      if (!(await connectionSettled(client, timeoutMs)))
        throw new FlotillaError('MANAGER_UNREACHABLE', {
          address: addr,
          reason: `no connection within ${timeoutMs} ms`,
        });
    } catch (err) {
      client.close();
      throw err;
    } finally {
      this.connecting = undefined;
    }
    if (this.stopped) return client.close();
    const call = client.Session();
    this.current = { call, client };
    let heartbeat: NodeJS.Timeout | undefined;
    const logs = new LogStreams(this.deps.logs, (m) => {
      if (!call.writableEnded && !call.destroyed) call.write(m);
    });
    return new Promise<void>((resolve, reject) => {
      const done = (err?: Error) => {
        clearInterval(heartbeat);
        logs.cancelAll();
        this.deps.renewal?.detach();
        this.deps.reporter.detach();
        client.close();
        if (this.current?.call === call) this.current = undefined;
        if (err) reject(err);
        else resolve();
      };
      call.on('data', (msg: ManagerMessage__Output) => {
        if (msg.payload === 'accepted' && msg.accepted) {
          const a = msg.accepted;
          this.state = 'connected';
          this.sessionsOpened++;
          this.log.info({ manager: addr }, 'session open');
          this.learnManagers(a.managers);
          void this.deps.network?.apply(a.nodeSubnet);
          heartbeat = setInterval(() => call.write({ heartbeat: {} }), a.heartbeatPeriodMs || 5000);
          this.deps.renewal?.attach((m) => {
            if (call.writableEnded || call.destroyed) return false;
            call.write(m);
            return true;
          });
          this.deps.reporter.attach((updates) => {
            if (call.writableEnded || call.destroyed) return false;
            call.write({
              status: {
                updates: updates.map((u) => ({
                  taskId: u.taskId,
                  status: {
                    state: u.status.state,
                    timestamp: u.status.timestamp,
                    message: u.status.message,
                    err: u.status.err ?? '',
                    containerId: u.status.containerId ?? '',
                    ...(u.status.exitCode !== undefined ? { exitCode: u.status.exitCode } : {}),
                    health: u.status.health ?? '',
                    address: u.status.address ?? '',
                  },
                })),
              },
            });
            return true;
          });
        } else if (msg.payload === 'assignments' && msg.assignments) {
          const updates: AssignmentUpdate[] = [];
          for (const c of msg.assignments.changes) {
            if (c.action === 'REMOVE') updates.push({ action: 'remove', taskId: c.taskId });
            else if (c.action === 'ASSIGN')
              updates.push({ action: 'assign', task: JSON.parse(c.taskJson) as Task });
          }
          void this.deps.executor.apply(msg.assignments.full, updates);
        } else if (msg.payload === 'secrets' && msg.secrets) {
          // Never logged: the data stays in memory (agent/secrets).
          const m = msg.secrets;
          this.deps.secrets?.apply(m.full, m.set, m.removed);
        } else if (msg.payload === 'peers' && msg.peers) {
          void this.deps.network?.apply(msg.peers.nodeSubnet, msg.peers.routes);
        } else if (msg.payload === 'ingress' && msg.ingress) {
          void this.deps.network?.applyIngress(msg.ingress.services.map(ingressService));
        } else if (msg.payload === 'ingressChanges' && msg.ingressChanges) {
          void this.deps.network?.applyIngressChanges(
            msg.ingressChanges.changes.map((c) => ({
              serviceId: c.serviceId,
              ...(c.set ? { set: ingressService(c.set) } : {}),
              ...(c.removed ? { removed: true } : {}),
              addedAddrs: [...c.addedAddrs],
              removedAddrs: [...c.removedAddrs],
            })),
          );
        } else if (msg.payload === 'overlays' && msg.overlays) {
          void this.deps.network?.applyOverlays(msg.overlays.networks.map(overlayNetwork));
        } else if (msg.payload === 'overlayChanges' && msg.overlayChanges) {
          void this.deps.network?.applyOverlayChanges(
            msg.overlayChanges.changes.map(overlayChange),
          );
        } else if (msg.payload === 'managers' && msg.managers) {
          this.learnManagers(msg.managers.addrs);
        } else if (msg.payload === 'logs' && msg.logs) {
          logs.handle(msg.logs);
        } else this.deps.renewal?.handle(msg);
      });
      call.on('error', (err: grpc.ServiceError) => done(fromGrpcError(err)));
      call.on('end', () => done());
      call.write({
        open: {
          description: toWireDescription(this.deps.description()),
          nodeSubnet: this.deps.network?.requestedSubnet() ?? '',
          ...(this.deps.renewal?.tlsInfo() ? { tls: this.deps.renewal.tlsInfo() } : {}),
        },
      });
    });
  }
}

function toWireDescription(d: NodeDescription): NonNullable<AgentMessage['open']>['description'] {
  return {
    hostname: d.hostname,
    addr: d.addr,
    platform: d.platform,
    nanoCpus: d.resources.nanoCpus,
    memoryBytes: d.resources.memoryBytes,
    engineVersion: d.engineVersion,
    engineLabels: d.engineLabels,
  };
}

/** Rebuilds the manager's FlotillaError from the `flotilla-error` trailer, if it sent one. */
export function fromGrpcError(err: grpc.ServiceError): FlotillaError {
  const raw = err.metadata?.get('flotilla-error')[0];
  if (raw) {
    try {
      return FlotillaError.fromJSON(JSON.parse(String(raw)));
    } catch {}
  }
  return new FlotillaError(
    'MANAGER_UNREACHABLE',
    { address: '', reason: err.details || err.message },
    { cause: err },
  );
}

function ingressService(s: IngressService__Output): IngressService {
  return {
    serviceId: s.serviceId,
    name: s.name,
    ports: s.ports.map((p) => ({
      published: p.published,
      target: p.target,
      protocol: p.protocol === 'udp' ? ('udp' as const) : ('tcp' as const),
    })),
    addrs: [...s.addrs],
  };
}
