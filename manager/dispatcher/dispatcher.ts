// The manager side of agent sessions: a gRPC server over mutual TLS (node id = client
// certificate CN), one Session stream per agent, each message handed to the module doing its job
// (heartbeats, status ingestion, certificates, logs). It never decides what runs where.
import * as grpc from '@grpc/grpc-js';
import { loadDispatcherProto } from '../../proto/index.js';
import type { AgentMessage__Output, ManagerMessage } from '../../proto/index.js';
import { FlotillaError, toFlotillaError } from '../../shared/errors/index.js';
import type { Logger } from '../../shared/log/index.js';
import type { Network, OverlayKey } from '../../shared/model/index.js';
import type { ObjectStore, StoreEvent } from '../store/index.js';
import { SessionCertificates, type SessionCertificateAuthority } from './certificates.js';
import { nodeDescriptionFromWire, tlsInfoFromWire } from './convert.js';
import { ServerIdentityProvider } from './credentials.js';
import { toServiceError } from './grpc-status.js';
import { Heartbeats } from './heartbeats.js';
import { IngressRounds } from './ingress-rounds.js';
import { networkAttachmentHandlers } from './network-attachments.js';
import { OverlayRounds } from './overlay-rounds.js';
import { LogRequests, type ContainerLogLine, type ContainerLogOptions } from './log-requests.js';
import { identifyAgent, NodeRegistration } from './node-registration.js';
import { PeerRoutes } from './peer-routes.js';
import { NodeSecrets, type PayloadSource } from './secret-delivery.js';
import { AgentSession } from './session.js';
import { withSharedEncoding } from './shared-encoding.js';
import { StatusIngest } from './status-ingest.js';
import type { AddressPool } from './subnets.js';
import { isAssignedTo, TaskRouting } from './task-routing.js';

export interface DispatcherDeps {
  store: ObjectStore;
  log: Logger;
  clock: { now(): number };
  /** This manager's server identity and the cluster CA that client certificates must chain to. */
  tls: { certPem: string; keyPem: string; caCertPem: string };
  /** host:port to listen on; port 0 picks a free one (see `port`). */
  listen: string;
  /** Node id and role from a verified client certificate (ca.identify); defaults to CN and OU. */
  identify?: (certDer: Buffer) => { nodeId: string; role: string };
  /** Removed nodes; checked when a session opens. */
  isRevoked?: (nodeId: string) => boolean;
  /** Cluster setting. @default 5000 */
  heartbeatPeriodMs?: number;
  /** gRPC addresses of all managers, sent to agents for failover. */
  managers?: () => string[];
  /** How long status updates are gathered into one store batch. @default 50 */
  statusFlushMs?: number;
  /** Cluster setting: where node subnets come from. @default 10.240.0.0/16 in /24s */
  addressPool?: () => AddressPool | undefined;
  /** Signs agents' renewal CSRs; absent = agents cannot renew over their session. */
  certificates?: SessionCertificateAuthority;
  /** Follows this manager's renewed server certificate (served without a restart). */
  onTlsChange?: (listener: (tls: DispatcherDeps['tls']) => void) => () => void;
  /** Opens secrets and configs for the nodes whose tasks use them; absent = none are delivered. */
  payloads?: PayloadSource;
  /** Told the gap between two heartbeats of a node, and the period (metrics). */
  onHeartbeatGap?: (gapMs: number, periodMs: number) => void;
  /** The keys of an encrypted cluster network, opened (sent only to nodes on the network). */
  overlayKeys?: (n: Network) => OverlayKey[];
}

type Call = grpc.ServerDuplexStream<AgentMessage__Output, ManagerMessage>;

export class Dispatcher {
  private readonly log: Logger;
  private server?: grpc.Server;
  private readonly sessions = new Map<string, AgentSession>();
  private readonly heartbeats: Heartbeats;
  private readonly statuses: StatusIngest;
  private readonly registration: NodeRegistration;
  private readonly peers: PeerRoutes;
  private readonly ingress: IngressRounds;
  private readonly overlays: OverlayRounds;
  private readonly tasks: TaskRouting;
  private unsubscribe?: () => void;
  private readonly logRequests = new LogRequests();
  private readonly certs?: SessionCertificates;
  private readonly identity: ServerIdentityProvider;
  private offTls?: () => void;
  /** Bound port once started. */
  port = 0;

  constructor(private readonly deps: DispatcherDeps) {
    const { store } = deps;
    const log = (this.log = deps.log.child({ component: 'dispatcher' }));
    this.identity = new ServerIdentityProvider(deps.tls);
    if (deps.certificates)
      this.certs = new SessionCertificates({ store, ca: deps.certificates, log });
    this.heartbeats = new Heartbeats({ ...deps, log });
    this.statuses = new StatusIngest({ ...deps, log });
    this.registration = new NodeRegistration(deps);
    this.peers = new PeerRoutes({ store, sessions: this.sessions });
    this.ingress = new IngressRounds({ store, log, sessions: this.sessions });
    this.overlays = new OverlayRounds({
      store,
      log,
      sessions: this.sessions,
      keysOf: deps.overlayKeys,
    });
    this.tasks = new TaskRouting(this.sessions);
  }

  /** Epoch ms of the last heartbeat this manager saw from the node (HeartbeatSource). */
  lastHeartbeatMs(nodeId: string): number | undefined {
    return this.heartbeats.lastMs(nodeId);
  }

  /** Last heartbeats of the nodes whose session this manager holds (HeartbeatExchange). */
  heartbeatSnapshot(): Map<string, number> {
    return this.heartbeats.snapshot(this.sessions.keys());
  }

  /** True when this manager holds the node's session (and can serve its logs). */
  hasSession(nodeId: string): boolean {
    return this.sessions.has(nodeId);
  }

  /**
   * Streams a container's log from the agent of `nodeId` over its session (batches of lines).
   * @throws NODE_LOGS_UNAVAILABLE when this manager holds no session of the node, or it ends.
   */
  containerLogs(
    nodeId: string,
    containerId: string,
    opts: ContainerLogOptions,
  ): AsyncIterable<ContainerLogLine[]> {
    const s = this.sessions.get(nodeId);
    if (!s)
      throw new FlotillaError('NODE_LOGS_UNAVAILABLE', {
        nodeId,
        reason: 'no session with this manager',
      });
    return this.logRequests.open(nodeId, (m) => s.send(m), containerId, opts);
  }

  /** Tells every open session the managers alive now (agents reconnect to one of them). */
  broadcastManagers(addrs: string[]): void {
    for (const s of this.sessions.values()) s.send({ managers: { addrs } });
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  async start(): Promise<void> {
    const proto = loadDispatcherProto();
    const server = new grpc.Server({
      'grpc.keepalive_time_ms': 30_000,
      'grpc.max_concurrent_streams': 100_000,
    });
    const service = withSharedEncoding(proto.flotilla.v1.Dispatcher.service);
    this.ingress.encodeOnce = service.encodeOnce;
    server.addService(service.definition, {
      Session: (call: Call) => this.handle(call),
      ...networkAttachmentHandlers(this.deps),
    });
    // A renewed certificate (or a new trust bundle) is served to new connections; sessions
    // already open keep their connection.
    const creds = this.identity.serverCredentials();
    this.offTls = this.deps.onTlsChange?.((tls) => this.identity.update(tls));
    this.certs?.start();
    this.port = await new Promise<number>((resolve, reject) =>
      server.bindAsync(this.deps.listen, creds, (err, port) => (err ? reject(err) : resolve(port))),
    );
    this.server = server;
    this.tasks.start(this.deps.store.list('task'));
    this.ingress.start();
    this.overlays.start();
    this.unsubscribe = this.deps.store.subscribe((e) => this.onStoreEvent(e));
    this.statuses.start();
    this.log.info({ listen: this.deps.listen, port: this.port }, 'dispatcher listening');
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.offTls?.();
    this.certs?.stop();
    this.statuses.stop();
    this.ingress.stop();
    this.overlays.stop();
    for (const s of this.sessions.values()) s.close();
    this.sessions.clear();
    await this.statuses.flush();
    const server = this.server;
    if (server)
      await new Promise<void>((resolve) => {
        const force = setTimeout(() => server.forceShutdown(), 2000);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      });
  }

  /**
   * Closes the sessions of nodes revoked since they opened. A session carries no manager rights
   * (the role in its certificate only names a node's first role; the store's role decides from
   * then on), so a demotion needs no cut; a revocation does.
   */
  closeRevokedSessions(): void {
    if (!this.deps.isRevoked) return;
    for (const nodeId of [...this.sessions.keys()]) {
      if (!this.deps.isRevoked(nodeId)) continue;
      this.log.info({ nodeId }, 'revoked node session closed');
      this.closeRemovedSession(nodeId);
    }
  }

  /** Ends the session of a node removed from the cluster (revoked or `node rm`). */
  private closeRemovedSession(nodeId: string): void {
    const s = this.sessions.get(nodeId);
    if (!s) return;
    this.sessions.delete(nodeId);
    this.heartbeats.forget(nodeId);
    s.close(
      toServiceError(
        new FlotillaError('SESSION_UNAUTHENTICATED', {
          reason: `node ${nodeId} was removed from the cluster`,
        }),
      ),
    );
  }

  private handle(call: Call): void {
    let who: { nodeId: string; role: string };
    try {
      who = identifyAgent(call, this.deps.identify, this.deps.isRevoked);
    } catch (err) {
      this.log.warn({ err }, 'agent session refused');
      call.emit('error', toServiceError(toFlotillaError(err)));
      return;
    }
    const log = this.log.child({ nodeId: who.nodeId });
    let session: AgentSession | undefined;
    const fail = (err: unknown) => {
      const e = toFlotillaError(err);
      log.warn({ err: e }, 'agent session failed');
      (session ?? new AgentSession(who.nodeId, call, log)).close(toServiceError(e));
    };
    call.on('data', (msg: AgentMessage__Output) => {
      if (!session) {
        if (msg.payload !== 'open' || !msg.open) {
          fail(new FlotillaError('SESSION_PROTOCOL', { reason: 'the first message must be open' }));
          return;
        }
        session = new AgentSession(who.nodeId, call, log);
        this.open(session, who.role, msg.open).catch(fail);
        return;
      }
      if (msg.payload === 'heartbeat') this.heartbeats.beat(who.nodeId);
      else if (msg.payload === 'renew' && msg.renew)
        void this.certs?.renew(session, msg.renew.csrPem);
      else if (msg.payload === 'tls') {
        const info = tlsInfoFromWire(msg.tls);
        if (info)
          this.certs
            ?.reported(who.nodeId, info)
            .catch((err) => log.warn({ err }, 'recording the certificate report failed'));
      } else if (msg.payload === 'logs' && msg.logs) this.logRequests.chunk(who.nodeId, msg.logs);
      else if (msg.payload === 'status') {
        this.statuses.ingest(who.nodeId, msg.status?.updates ?? [], log);
        this.heartbeats.beat(who.nodeId);
      }
    });
    const cleanup = () => {
      if (session && this.sessions.get(who.nodeId) === session) {
        this.sessions.delete(who.nodeId);
        this.logRequests.sessionEnded(who.nodeId);
        this.certs?.closed(session);
        log.info('agent session closed');
      }
      if (session) session.closed = true;
    };
    call.on('end', () => {
      cleanup();
      call.end();
    });
    call.on('error', cleanup);
    call.on('cancelled', cleanup);
  }

  /** Writes the Node (ready, with a subnet), then sends the agent all it needs to start from. */
  private async open(
    session: AgentSession,
    role: string,
    open: NonNullable<AgentMessage__Output['open']>,
  ): Promise<void> {
    const { nodeId } = session;
    const now = this.deps.clock.now();
    const tlsInfo = tlsInfoFromWire(open.tls);
    const description = {
      ...nodeDescriptionFromWire(open.description),
      ...(tlsInfo ? { tlsInfo } : {}),
    };
    const requested = open.nodeSubnet || undefined;
    const iso = new Date(now).toISOString();
    const subnet = await this.registration.register(nodeId, role, description, requested, iso);
    if (requested && requested !== subnet)
      session.log.warn({ requested, subnet }, 'requested node subnet clashes, handing out another');
    this.heartbeats.opened(nodeId, now);
    // The newest session wins: an agent that reconnects before its old stream timed out.
    this.sessions.get(nodeId)?.close();
    if (session.closed) return;
    this.sessions.set(nodeId, session);
    if (this.deps.payloads) session.secrets = new NodeSecrets(this.deps.payloads, session.log);
    session.accept({
      nodeId,
      heartbeatPeriodMs: this.deps.heartbeatPeriodMs ?? 5000,
      managers: this.deps.managers?.() ?? [],
      nodeSubnet: subnet,
    });
    session.sendFull(this.deps.store.list('task').filter((t) => isAssignedTo(t, nodeId)));
    session.sendPeers(this.peers.peersOf(nodeId), subnet);
    session.sendIngress(this.ingress.current.services, this.ingress.current.version);
    this.overlays.opened(session);
    this.certs?.opened(session, role, tlsInfo);
    session.log.info({ hostname: description.hostname }, 'agent session opened');
  }

  private onStoreEvent(e: StoreEvent): void {
    this.ingress.onStoreEvent(e);
    this.overlays.onStoreEvent(e);
    if (e.kind === 'node') this.peers.schedule();
    if (e.kind === 'node' && e.type !== 'delete') this.certs?.nodeChanged(e.object);
    // `node rm`: the node's certificate is revoked with it; end its session now.
    if (e.kind === 'node' && e.type === 'delete') this.closeRemovedSession(e.object.id);
    else if (e.kind === 'task') this.tasks.onTaskEvent(e);
  }
}
