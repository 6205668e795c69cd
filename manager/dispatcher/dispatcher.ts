// The manager side of agent sessions: a gRPC server over mutual TLS (node id = client
// certificate CN), one Session stream per agent. It keeps Node objects current (description on
// open, ready on return), keeps heartbeats in memory (no etcd write per heartbeat; the node
// watcher reads them), streams each node's assignments, and ingests batched task status updates,
// only ever moving a task forward. It never decides what runs where.
import * as grpc from '@grpc/grpc-js';
import { loadDispatcherProto } from '../../proto/index.js';
import type { AgentMessage__Output, ManagerMessage } from '../../proto/index.js';
import { FlotillaError, isFlotillaError, toFlotillaError } from '../../shared/errors/index.js';
import type { Logger } from '../../shared/log/index.js';
import {
  diffIngress,
  type IngressChange,
  type IngressService,
  type Node,
  type Task,
  type TaskStatus,
} from '../../shared/model/index.js';
import { isForward } from '../../shared/model/index.js';
import { ingressEndpoints, publishedPorts, receivesTraffic } from '../ingress/index.js';
import type { ObjectStore, StoreEvent } from '../store/index.js';
import { commitParallel } from '../tasks/index.js';
import { SessionCertificates, type SessionCertificateAuthority } from './certificates.js';
import { nodeDescriptionFromWire, taskStatusFromWire, tlsInfoFromWire } from './convert.js';
import { ServerIdentityProvider } from './credentials.js';
import { toServiceError } from './grpc-status.js';
import { LogRequests, type ContainerLogLine, type ContainerLogOptions } from './log-requests.js';
import { AgentSession, ingressChangesMessage } from './session.js';
import { withSharedEncoding } from './shared-encoding.js';
import { checkStatusReport } from './status-checks.js';
import { chooseSubnet, defaultAddressPool, type AddressPool } from './subnets.js';

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
  /** Told the gap between two heartbeats of a node, and the period (metrics). */
  onHeartbeatGap?: (gapMs: number, periodMs: number) => void;
}

type Call = grpc.ServerDuplexStream<AgentMessage__Output, ManagerMessage>;

/** Least time between two rounds of peer sets to every session (see schedulePeers). */
const peersMinIntervalMs = 1000;
/** A round may take at most this share of the manager's time (its gap is duration × factor). */
const peersGapFactor = 10;
/** Least time between two routing-mesh rounds that only add addresses (see scheduleIngress). */
const ingressAddIntervalMs = 250;

export class Dispatcher {
  private readonly log: Logger;
  private server?: grpc.Server;
  private readonly sessions = new Map<string, AgentSession>();
  private readonly heartbeats = new Map<string, number>();
  private statusQueue = new Map<string, { nodeId: string; status: TaskStatus }>();
  private flushTimer?: NodeJS.Timeout;
  private flushing?: Promise<void>;
  private readonly markingReady = new Set<string>();
  /** taskId → nodeId as last seen, to tell a node when a task leaves it. */
  private readonly taskNodes = new Map<string, string>();
  private unsubscribe?: () => void;
  /** Serialises subnet choices of this manager's concurrent session opens. */
  private subnetQueue: Promise<unknown> = Promise.resolve();
  /** What peers were last computed from (id subnet addr per node), to send only real changes. */
  private peersKey = '';
  private peersScheduled = false;
  private peersSentAtMs = 0;
  private peersGapMs = peersMinIntervalMs;
  /** The routing mesh's endpoint set as last computed; `version` counts its changes. */
  private ingress: { services: IngressService[]; version: number } = { services: [], version: 0 };
  /** Every address in that set (a task leaving it makes the next round urgent). */
  private ingressAddrs = new Set<string>();
  private ingressNow = false;
  private ingressTimer?: NodeJS.Timeout;
  private ingressRoundAtMs = 0;
  private encodeOnce: <T extends object>(msg: T) => T = (msg) => msg;
  private readonly logRequests = new LogRequests();
  private readonly certs?: SessionCertificates;
  private readonly identity: ServerIdentityProvider;
  private offTls?: () => void;
  /** Bound port once started. */
  port = 0;

  constructor(private readonly deps: DispatcherDeps) {
    this.log = deps.log.child({ component: 'dispatcher' });
    this.identity = new ServerIdentityProvider(deps.tls);
    if (deps.certificates)
      this.certs = new SessionCertificates({
        store: deps.store,
        ca: deps.certificates,
        log: this.log,
      });
  }

  /** Epoch ms of the last heartbeat this manager saw from the node (HeartbeatSource). */
  lastHeartbeatMs(nodeId: string): number | undefined {
    return this.heartbeats.get(nodeId);
  }

  /** Last heartbeats of the nodes whose session this manager holds (HeartbeatExchange). */
  heartbeatSnapshot(): Map<string, number> {
    const m = new Map<string, number>();
    for (const nodeId of this.sessions.keys()) {
      const ms = this.heartbeats.get(nodeId);
      if (ms !== undefined) m.set(nodeId, ms);
    }
    return m;
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
    this.encodeOnce = service.encodeOnce;
    server.addService(service.definition, {
      Session: (call: Call) => this.handle(call),
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
    for (const t of this.deps.store.list('task')) if (t.nodeId) this.taskNodes.set(t.id, t.nodeId);
    this.computeIngress();
    this.unsubscribe = this.deps.store.subscribe((e) => this.onStoreEvent(e));
    this.flushTimer = setInterval(() => void this.flushStatuses(), this.deps.statusFlushMs ?? 50);
    this.log.info({ listen: this.deps.listen, port: this.port }, 'dispatcher listening');
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.offTls?.();
    this.certs?.stop();
    clearInterval(this.flushTimer);
    clearTimeout(this.ingressTimer);
    for (const s of this.sessions.values()) s.close();
    this.sessions.clear();
    await this.flushStatuses();
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
    for (const [nodeId, s] of this.sessions) {
      if (!this.deps.isRevoked(nodeId)) continue;
      this.sessions.delete(nodeId);
      this.heartbeats.delete(nodeId);
      this.log.info({ nodeId }, 'revoked node session closed');
      s.close(
        toServiceError(
          new FlotillaError('SESSION_UNAUTHENTICATED', {
            reason: `node ${nodeId} was removed from the cluster`,
          }),
        ),
      );
    }
  }

  private identify(call: Call): { nodeId: string; role: string } {
    const cert = call.getAuthContext()?.sslPeerCertificate;
    if (!cert || !cert.raw)
      throw new FlotillaError('SESSION_UNAUTHENTICATED', { reason: 'no client certificate' });
    const who = this.deps.identify
      ? this.deps.identify(cert.raw)
      : { nodeId: String(cert.subject?.CN ?? ''), role: String(cert.subject?.OU ?? 'worker') };
    if (!who.nodeId)
      throw new FlotillaError('SESSION_UNAUTHENTICATED', { reason: 'certificate names no node' });
    if (who.role !== 'worker' && who.role !== 'manager')
      throw new FlotillaError('SESSION_UNAUTHENTICATED', {
        reason: `role ${who.role} cannot run tasks`,
      });
    if (this.deps.isRevoked?.(who.nodeId))
      throw new FlotillaError('SESSION_UNAUTHENTICATED', {
        reason: `node ${who.nodeId} was removed from the cluster`,
      });
    return who;
  }

  private handle(call: Call): void {
    let who: { nodeId: string; role: string };
    try {
      who = this.identify(call);
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
      if (msg.payload === 'heartbeat') this.heartbeat(who.nodeId);
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
        this.ingestStatus(who.nodeId, msg.status?.updates ?? [], log);
        this.heartbeat(who.nodeId);
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

  private async open(
    session: AgentSession,
    role: string,
    open: NonNullable<AgentMessage__Output['open']>,
  ): Promise<void> {
    const { nodeId } = session;
    const now = this.deps.clock.now();
    const iso = new Date(now).toISOString();
    const tlsInfo = tlsInfoFromWire(open.tls);
    const description = {
      ...nodeDescriptionFromWire(open.description),
      ...(tlsInfo ? { tlsInfo } : {}),
    };
    const requested = open.nodeSubnet || undefined;
    const write = () =>
      this.deps.store.update((tx) => {
        const existing = tx.get('node', nodeId);
        // Chosen from the cache and claimed by the Node write (/names/subnets/<cidr>): a subnet
        // another manager claimed meanwhile fails the commit, which runs this again on fresh
        // state, then among the first few free subnets so the two stop picking the same one.
        // Only this node's keys are compared, however many nodes there are.
        const pool = this.deps.addressPool?.() ?? defaultAddressPool;
        const subnet = chooseSubnet({
          pool,
          current: existing?.subnet,
          requested,
          taken: takenSubnets(this.deps.store, nodeId),
          spread: tx.attempt > 1 ? 8 : 1,
        });
        if (!subnet)
          throw new FlotillaError('NODE_SUBNET_POOL_EXHAUSTED', {
            nodeId,
            prefix: pool.subnetPrefixLength,
            pools: pool.cidrs.join(', '),
          });
        const node: Node = existing
          ? { ...existing, description, updatedAt: iso }
          : {
              id: nodeId,
              version: 1,
              createdAt: iso,
              updatedAt: iso,
              description,
              spec: {
                role: role === 'manager' ? 'manager' : 'worker',
                availability: 'active',
                labels: {},
              },
              status: { state: 'ready', message: '' },
            };
        node.status = { state: 'ready', message: '', lastHeartbeat: iso };
        node.subnet = subnet;
        if (existing) tx.update('node', node);
        else tx.create('node', node);
        return subnet;
      });
    const run = this.subnetQueue.then(write, write);
    this.subnetQueue = run.catch(() => undefined);
    const subnet = await run;
    if (requested && requested !== subnet)
      session.log.warn({ requested, subnet }, 'requested node subnet clashes, handing out another');
    this.heartbeats.set(nodeId, now);
    // The newest session wins: an agent that reconnects before its old stream timed out.
    this.sessions.get(nodeId)?.close();
    if (session.closed) return;
    this.sessions.set(nodeId, session);
    session.accept({
      nodeId,
      heartbeatPeriodMs: this.deps.heartbeatPeriodMs ?? 5000,
      managers: this.deps.managers?.() ?? [],
      nodeSubnet: subnet,
    });
    session.sendFull(this.deps.store.list('task').filter((t) => isAssignedTo(t, nodeId)));
    session.sendPeers(this.peersOf(nodeId), subnet);
    session.sendIngress(this.ingress.services, this.ingress.version);
    this.certs?.opened(session, role, tlsInfo);
    session.log.info({ hostname: description.hostname }, 'agent session opened');
  }

  /**
   * Queues a node's status reports. A report about another node's task is refused here, so that
   * it can neither be written nor replace that node's own report in the queue (keyed by task).
   */
  private ingestStatus(
    nodeId: string,
    updates: NonNullable<AgentMessage__Output['status']>['updates'],
    log: Logger,
  ): void {
    const nodeSubnet = this.deps.store.get('node', nodeId)?.subnet;
    for (const u of updates) {
      const reported = taskStatusFromWire(u.status);
      if (!reported || !u.taskId) continue;
      const task = this.deps.store.get('task', u.taskId);
      const v = checkStatusReport({ nodeId, nodeSubnet, task, status: reported });
      if (!v.accept) {
        log.warn(
          { taskId: u.taskId, owner: v.owner },
          "status report for another node's task refused",
        );
        continue;
      }
      if (v.droppedAddress)
        log.warn(
          { taskId: u.taskId, address: v.droppedAddress, subnet: nodeSubnet },
          'task address outside the node subnet ignored',
        );
      this.statusQueue.set(u.taskId, { nodeId, status: v.status });
    }
  }

  private heartbeat(nodeId: string): void {
    const now = this.deps.clock.now();
    const previous = this.heartbeats.get(nodeId);
    if (previous !== undefined)
      this.deps.onHeartbeatGap?.(now - previous, this.deps.heartbeatPeriodMs ?? 5000);
    this.heartbeats.set(nodeId, now);
    const node = this.deps.store.get('node', nodeId);
    if (!node || node.status.state === 'ready' || this.markingReady.has(nodeId)) return;
    // The node watcher marked it down while the agent was away: it is back.
    this.markingReady.add(nodeId);
    const iso = new Date(this.deps.clock.now()).toISOString();
    this.deps.store
      .update((tx) => {
        const n = tx.get('node', nodeId);
        if (!n || n.status.state === 'ready') return;
        n.status = { state: 'ready', message: '', lastHeartbeat: iso };
        n.updatedAt = iso;
        tx.update('node', n);
      })
      .catch((err) => this.log.warn({ err, nodeId }, 'marking node ready failed'))
      .finally(() => this.markingReady.delete(nodeId));
  }

  /** Routes to every other node's subnet via its address. */
  private peersOf(nodeId: string): { nodeId: string; subnet: string; via: string }[] {
    return this.deps.store
      .list('node')
      .filter((n) => n.id !== nodeId && n.subnet && n.description.addr)
      .map((n) => ({ nodeId: n.id, subnet: n.subnet!, via: n.description.addr }));
  }

  /**
   * A node joined, left or changed subnet/address: every session gets its new peer set. A round
   * costs O(nodes²) (every session gets every route: about a second of CPU at 1,000 nodes), so
   * rounds are at least a second and ten times the last round's duration apart. With one round
   * per join, 1,000 agents joining kept the manager busy serialising routes for tens of minutes
   * and starved its leader lease.
   */
  private schedulePeers(): void {
    if (this.peersScheduled) return;
    this.peersScheduled = true;
    const run = () => {
      this.peersScheduled = false;
      const nodes = this.deps.store.list('node');
      const key = nodes.map((n) => `${n.id} ${n.subnet ?? ''} ${n.description.addr}`).join(',');
      if (key === this.peersKey) return;
      this.peersKey = key;
      const startedMs = Date.now();
      const routes = nodes
        .filter((n) => n.subnet && n.description.addr)
        .map((n) => ({ nodeId: n.id, subnet: n.subnet!, via: n.description.addr }));
      for (const s of this.sessions.values())
        s.sendPeers(
          routes.filter((r) => r.nodeId !== s.nodeId),
          this.deps.store.get('node', s.nodeId)?.subnet ?? '',
        );
      this.peersSentAtMs = Date.now();
      this.peersGapMs = Math.max(
        peersMinIntervalMs,
        (this.peersSentAtMs - startedMs) * peersGapFactor,
      );
    };
    const waitMs = this.peersSentAtMs + this.peersGapMs - Date.now();
    if (waitMs <= 0) setImmediate(run);
    else setTimeout(run, waitMs).unref();
  }

  /** Recomputes the routing mesh's endpoint set; its changes, none when it did not change. */
  private computeIngress(): IngressChange[] {
    const services = ingressEndpoints(
      this.deps.store.list('service'),
      this.deps.store.list('task'),
    );
    const changes = diffIngress(this.ingress.services, services);
    if (changes.length > 0) {
      this.ingress = { services, version: this.ingress.version + 1 };
      this.ingressAddrs = new Set(services.flatMap((x) => x.addrs));
    }
    return changes;
  }

  /**
   * A service or one of its tasks changed: every session gets the endpoint set's changes (one diff
   * per round, the same for every session). A round that can take an address out (a task leaving
   * the set: desired state no longer running, unhealthy, gone; or a service changed) is `urgent`
   * and runs at once, so agents stop sending a task new connections while its own agent waits out
   * the drain delay before stopping it. Rounds that only add addresses (tasks starting) are at
   * most one per `ingressAddIntervalMs`: one per event burst was one message to every agent per
   * status batch (100 messages per agent for 5,000 tasks starting), the agents' main cost.
   */
  private scheduleIngress(urgent: boolean): void {
    if (this.ingressNow) return;
    if (urgent) {
      clearTimeout(this.ingressTimer);
      this.ingressTimer = undefined;
      this.ingressNow = true;
      setImmediate(() => {
        this.ingressNow = false;
        this.ingressRound();
      });
      return;
    }
    if (this.ingressTimer) return;
    const waitMs = Math.max(0, this.ingressRoundAtMs + ingressAddIntervalMs - Date.now());
    this.ingressTimer = setTimeout(() => {
      this.ingressTimer = undefined;
      this.ingressRound();
    }, waitMs);
    this.ingressTimer.unref();
  }

  private ingressRound(): void {
    this.ingressRoundAtMs = Date.now();
    const from = this.ingress.version;
    const changes = this.computeIngress();
    if (changes.length === 0) return;
    this.log.debug(
      { services: this.ingress.services.length, changes: changes.length },
      'ingress endpoints changed',
    );
    // The same message to every session: encoded once.
    const message = this.encodeOnce(ingressChangesMessage(changes));
    for (const s of this.sessions.values())
      s.sendIngressChanges(message, from, this.ingress.services, this.ingress.version);
  }

  /** A service change, or a task in the endpoint set that no longer receives traffic. */
  private mayLeaveIngress(e: StoreEvent): boolean {
    if (e.kind !== 'task') return true;
    const addr = e.object.status.address;
    if (!addr || !this.ingressAddrs.has(addr)) return false;
    return e.type === 'delete' || !receivesTraffic(e.object);
  }

  /** Only services with ingress ports (or that had them) and their tasks matter to the mesh. */
  private affectsIngress(e: StoreEvent): boolean {
    if (e.kind === 'service') return true;
    if (e.kind !== 'task') return false;
    const s = this.deps.store.get('service', e.object.serviceId);
    return s ? publishedPorts(s).some((p) => p.mode === 'ingress') : false;
  }

  private onStoreEvent(e: StoreEvent): void {
    if (this.affectsIngress(e)) this.scheduleIngress(this.mayLeaveIngress(e));
    if (e.kind === 'node') this.schedulePeers();
    if (e.kind === 'node' && e.type !== 'delete') this.certs?.nodeChanged(e.object);
    if (e.kind === 'node' && e.type === 'delete') {
      // `node rm`: the node's certificate is revoked with it; end its session now.
      const s = this.sessions.get(e.object.id);
      if (s) {
        this.sessions.delete(e.object.id);
        this.heartbeats.delete(e.object.id);
        s.close(
          toServiceError(
            new FlotillaError('SESSION_UNAUTHENTICATED', {
              reason: `node ${e.object.id} was removed from the cluster`,
            }),
          ),
        );
      }
      return;
    }
    if (e.kind !== 'task') return;
    const t = e.object;
    // A task that moved between nodes (or was deleted) must leave the old node's session.
    const before = this.taskNodes.get(t.id);
    if (e.type === 'delete' || !t.nodeId) this.taskNodes.delete(t.id);
    else this.taskNodes.set(t.id, t.nodeId);
    if (before && before !== t.nodeId) this.sessions.get(before)?.taskGone(t.id);
    if (!t.nodeId) return;
    const s = this.sessions.get(t.nodeId);
    if (!s) return;
    if (e.type === 'delete' || !isAssignedTo(t, t.nodeId)) s.taskGone(t.id);
    else s.taskChanged(t);
  }

  private flushStatuses(): Promise<void> {
    if (this.flushing || this.statusQueue.size === 0) return this.flushing ?? Promise.resolve();
    const queue = this.statusQueue;
    this.statusQueue = new Map();
    this.flushing = commitParallel(
      this.deps.store,
      [...queue],
      (tx, [taskId, { nodeId, status }]) => {
        const t = tx.get('task', taskId);
        // Only the node running a task may report on it, and only forwards.
        if (!t) return;
        if (t.nodeId !== nodeId) {
          this.log.warn(
            { taskId, nodeId, owner: t.nodeId },
            "status report for another node's task refused",
          );
          return;
        }
        const same = t.status.state === status.state;
        const healthOnly = same && t.status.health !== status.health;
        // Tasks adopted after an agent upgrade report the address they never sent before.
        const addressOnly = same && !t.status.address && Boolean(status.address);
        if (!isForward(t.status.state, status.state) && !healthOnly && !addressOnly) return;
        t.status = { ...status, ...(t.status.ports ? { ports: t.status.ports } : {}) };
        tx.update('task', t);
      },
    )
      .catch((err) => {
        // An agent reports a status once: a write that failed for a passing reason (conflicts
        // on a busy store, etcd away) is tried again with the next flush, unless a newer report
        // of the task came meanwhile. Writes that did commit are skipped then (not forward).
        if (isFlotillaError(err) && err.retryable)
          for (const [taskId, u] of queue)
            if (!this.statusQueue.has(taskId)) this.statusQueue.set(taskId, u);
        this.log.warn({ err, updates: queue.size }, 'writing task status failed');
      })
      .finally(() => (this.flushing = undefined));
    return this.flushing;
  }
}

/**
 * Subnets other nodes hold: claims, and the subnets nodes recorded before claims existed (their
 * claim is written with their next write).
 */
function takenSubnets(store: ObjectStore, nodeId: string): Set<string> {
  const taken = new Set<string>();
  for (const [subnet, owner] of store.claims('subnets')) if (owner !== nodeId) taken.add(subnet);
  for (const n of store.list('node')) if (n.id !== nodeId && n.subnet) taken.add(n.subnet);
  return taken;
}

/** Tasks an agent should hear about: placed on its node by the scheduler (or later). */
function isAssignedTo(t: Task, nodeId: string): boolean {
  return t.nodeId === nodeId && t.status.state !== 'pending' && t.status.state !== 'new';
}
