// Wires the manager: etcd (embedded unless --etcd), store, cluster bootstrap and CA, API server,
// the parts of manager/parts.ts, and the leader election that starts the leader-only parts.
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { PassThrough } from 'node:stream';
import { Etcd3, type IOptions } from 'etcd3';
import { createLogger } from '../shared/log/index.js';
import { createMetricsRegistry, MetricsServer } from '../shared/metrics/index.js';
import { ManagerApiServer, QuorumGuard } from './api/index.js';
import { bootstrap, managerCredentials } from './bootstrap.js';
import {
  ManagerCertificate,
  issueAdminKeyAndCertificate,
  type TlsCredentials,
} from './ca/index.js';
import type { ManagerComponents, Startable } from './components.js';
import {
  apiLimitsOf,
  managerConfig,
  type ManagerConfig,
  type ManagerFlagSettings,
  type ManagerSettings,
} from './config.js';
import { FlotillaError } from '../shared/errors/index.js';
import {
  EmbeddedEtcd,
  EtcdMembership,
  embeddedEtcdLimits,
  storeClient,
  type MemberSummary,
} from './etcd/index.js';
import {
  embeddedEtcdFiles,
  joinWithEmbeddedEtcd,
  needsEmbeddedJoin,
  type EmbeddedJoin,
} from './embedded-join.js';
import { LeaderElection } from './leader.js';
import { ClusterEvents } from './events/index.js';
import { Dashboard } from './dashboard/index.js';
import { ManagerMetrics } from './metrics/index.js';
import { managerParts } from './parts.js';
import { HttpDigestResolver } from './images/index.js';
import { SecretsKeyring } from './secrets/index.js';
import { EtcdObjectStore } from './store/index.js';

export interface ManagerHooks {
  /** After --init: the admin credentials and address, for the CLI to write a context. */
  onInitialized?(info: {
    clusterId: string;
    clusterName: string;
    apiAddr: string;
    admin: TlsCredentials;
  }): Promise<void> | void;
  /** This manager's etcd member was removed. @default SIGTERM to this process (it stops). */
  onRemovedFromCluster?(): void;
}

export interface RunningManager {
  components: ManagerComponents;
  stop(): Promise<void>;
}

export async function runManager(
  flags: Partial<ManagerFlagSettings>,
  hooks: ManagerHooks = {},
): Promise<RunningManager> {
  const config = managerConfig(flags);
  const log = createLogger({ proc: 'manager' });
  await mkdir(config.dataRoot, { recursive: true, mode: 0o700 });
  const started: { stop(): Promise<void> }[] = [];
  const stopAll = async () => {
    for (const part of started.reverse())
      await part.stop().catch((err) => log.warn({ err }, 'stop failed'));
    started.length = 0;
  };
  try {
    let endpoints = config.etcd;
    const embedded = endpoints.length === 0;
    refuseForceNewCluster(config, embedded);
    let tlsOptions = etcdTls(config);
    let etcd: EmbeddedEtcd | undefined;
    let joined: EmbeddedJoin | undefined;
    if (embedded) {
      if (needsEmbeddedJoin(config)) {
        joined = await joinWithEmbeddedEtcd(config, log);
        etcd = joined.etcd;
      } else {
        etcd = await startEmbeddedEtcd(config, log);
      }
      started.push(etcd);
      const t = etcd.clientTls;
      tlsOptions = {
        credentials: {
          rootCertificate: Buffer.from(t.caCertPem),
          certChain: Buffer.from(t.certPem),
          privateKey: Buffer.from(t.keyPem),
        },
      };
      // This member first, then the others: the store keeps working while this member is down.
      endpoints = [etcd.endpoint, ...(await otherMembers(etcd, tlsOptions, log))];
    } else {
      warnPlainEtcd(endpoints, config, log);
    }
    // Its own member first, failed ones last, pinged (manager/etcd/store-client.ts).
    const own = etcd?.endpoint;
    const storeEtcd = storeClient({ hosts: endpoints, own, tls: tlsOptions });
    const client = storeEtcd.client;
    // Metrics need the store and the leader election, which need... the store: made once both
    // exist, observed through `metrics?.` until then.
    let metrics: ManagerMetrics | undefined;
    started.push({ stop: async () => client.close() });
    const store = new EtcdObjectStore({
      client,
      log,
      endpoints: endpoints.join(','),
      // An external etcd is assumed to run with etcd's default limits.
      ...(embedded ? { limits: embeddedEtcdLimits } : {}),
      onCommit: (ms, outcome) => metrics?.onCommit(ms, outcome),
    });
    await store.start();
    started.push(store);

    // Joined above: bootstrap finds the seal key and id the join wrote.
    const { ca, kek, managerId, initialized } = await bootstrap(
      joined ? { ...config, join: '' } : config,
      store,
      log,
    );
    started.push(ca, kek);
    const secretsKey = new SecretsKeyring({ store, kek });
    const tls = await managerCredentials(config, ca, managerId);
    const certificate = new ManagerCertificate({
      ca,
      store,
      managerId,
      tls,
      issue: () => managerCredentials(config, ca, managerId),
      log,
    });
    // Before the API listens, so that the CLI context exists once the manager answers.
    if (initialized && hooks.onInitialized) {
      const admin = await issueAdminKeyAndCertificate(ca, `admin-${hostname()}`);
      await hooks.onInitialized({
        clusterId: ca.cluster.id,
        clusterName: ca.cluster.name,
        apiAddr: config.apiAddr,
        admin,
      });
    }
    const leader = new LeaderElection({
      client,
      log,
      info: { managerId, apiAddr: config.apiAddr, grpcAddr: config.grpcAddr },
    });
    if (config.metricsAddr) {
      const registry = createMetricsRegistry('manager');
      metrics = new ManagerMetrics({ registry, store, isLeader: () => leader.isLeader() });
      const stopFollowing = metrics.followAssignments(() => Date.now());
      const server = new MetricsServer({ registry, listen: config.metricsAddr, log });
      await server.start();
      started.push({ stop: async () => (stopFollowing(), await server.stop()) });
    }
    // Every manager, leader or not, makes events from its own watch (they survive a failover).
    const events = new ClusterEvents({ store, clock: { now: () => Date.now() } });
    await events.start();
    started.push(events);
    const nodeLogs: NonNullable<ManagerComponents['nodeLogs']> = {};
    const components: ManagerComponents = {
      nodeLogs,
      etcd: client,
      config,
      log: log.child({ managerId }),
      store,
      ca,
      leader,
      tls,
      certificate,
      managerId,
      clock: { now: () => new Date() },
      metrics,
      secretsKey,
    };
    const socketPath = config.socket && process.getuid?.() === 0 ? config.socketPath : undefined;
    if (socketPath) await mkdir(config.execRoot, { recursive: true });
    let membership: EtcdMembership | undefined;
    // Status calls go through a client without retries, so a look fails fast when no member answers.
    const directEtcd = storeClient({ hosts: endpoints, own, tls: tlsOptions, direct: true });
    const direct = directEtcd.client;
    started.push({ stop: async () => direct.close() });
    const quorum = new QuorumGuard({ status: () => direct.maintenance.status() });
    await quorum.start();
    started.push(quorum);
    if (etcd) {
      membership = membershipOf(etcd, direct, config, log);
      // Removed by `node demote`/`node rm` of this machine (any manager may run it): stop, as a
      // demoted Swarm manager does, rather than go on through the other members.
      const onRemoved =
        hooks.onRemovedFromCluster ?? (() => void process.kill(process.pid, 'SIGTERM'));
      const running = etcd;
      const unwatch = membership.watchMembers({
        onRemoved: () => {
          log.error(
            'this manager was removed from the cluster (its etcd member is gone); stopping',
          );
          onRemoved();
        },
        // Both clients follow the members: a removed one is dropped, a joined one added.
        onMembers: (members) => {
          const urls = memberUrls(members, running);
          storeEtcd.setMembers(urls);
          directEtcd.setMembers(urls);
        },
      });
      started.push({ stop: async () => unwatch() });
    }
    const dashboard = new Dashboard({ store });
    const api = new ManagerApiServer({
      store,
      ca,
      kek,
      secretsKey,
      images: new HttpDigestResolver({ insecureRegistries: config.insecureRegistries }),
      leader,
      managerId,
      grpcAddr: config.grpcAddr,
      apiAddr: config.apiAddr,
      log,
      listen: config.listenApi,
      tls,
      socketPath,
      nodeLogs,
      etcdMembership: membership,
      quorum,
      snapshot: () => snapshotStream(client),
      limits: apiLimitsOf(config),
      events,
      extension: dashboard,
      onRequest: metrics && ((...a) => metrics!.onApiRequest(...a)),
    });
    await api.start();
    started.push(api);
    // Stopped before the API: its open event streams would hold the server's close.
    started.push(dashboard);
    certificate.onChange((next) => api.updateCredentials(next));

    const leaderParts: Startable[] = [];
    for (const make of managerParts) {
      const p = make(components);
      for (const part of p.always ?? []) {
        await part.start();
        started.push(part);
      }
      leaderParts.push(...(p.leader ?? []));
    }
    leader.onLeadership(
      async () => {
        metrics?.onLeadershipChange();
        for (const part of leaderParts) await part.start();
      },
      async () => {
        metrics?.onLeadershipChange();
        for (const part of [...leaderParts].reverse()) await part.stop();
      },
    );
    await leader.start();
    started.push(leader);

    log.info(
      { managerId, api: config.apiAddr, grpc: config.grpcAddr, clusterId: ca.cluster.id },
      'manager started',
    );
    return { components, stop: stopAll };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/** etcd's snapshot stream as bytes. */
async function snapshotStream(client: Etcd3): Promise<NodeJS.ReadableStream> {
  const out = new PassThrough();
  const stream = await client.maintenance.snapshot();
  stream.on('data', (r) => out.write(r.blob));
  stream.on('end', () => out.end());
  stream.on('error', (err) => out.destroy(err));
  return out;
}

function membershipOf(
  etcd: EmbeddedEtcd,
  client: Etcd3,
  config: ManagerConfig,
  log: ReturnType<typeof createLogger>,
): EtcdMembership {
  const pkiDir = embeddedEtcdFiles(config.dataRoot).pkiDir;
  return new EtcdMembership({ client, pkiDir, ownPeerUrl: etcd.peerUrl, log });
}

/** The client URLs of the voting members, this manager's own member as its loopback endpoint. */
function memberUrls(members: MemberSummary[], etcd: EmbeddedEtcd): string[] {
  const own = new Set([etcd.endpoint, etcd.advertisedClientUrl]);
  const others = members
    .filter((m) => m.name && !m.learner && !m.peerUrls.includes(etcd.peerUrl))
    .flatMap((m) => m.clientUrls)
    .filter((u) => !own.has(u));
  // Its own member stays first while this manager runs (a removed manager stops).
  return [etcd.endpoint, ...others];
}

/** --force-new-cluster is a recovery of this manager's own embedded etcd, and nothing else. */
function refuseForceNewCluster(config: ManagerConfig, embedded: boolean): void {
  if (!config.forceNewCluster) return;
  const clash = !embedded ? '--etcd' : config.init ? '--init' : config.join ? '--join' : '';
  if (clash)
    throw new FlotillaError('INVALID_FLAG_VALUE', {
      flag: '--force-new-cluster',
      value: 'true',
      reason: `it recovers this manager's embedded etcd from its data, and cannot go with ${clash}`,
    });
}

/** The embedded etcd keeps its ports and member name across restarts (etcd remembers its URLs). */
async function startEmbeddedEtcd(config: ManagerConfig, log: ReturnType<typeof createLogger>) {
  const files = embeddedEtcdFiles(config.dataRoot);
  const saved = existsSync(files.memberFile)
    ? (JSON.parse(readFileSync(files.memberFile, 'utf8')) as {
        clientPort: number;
        peerPort: number;
        name?: string;
      })
    : undefined;
  const etcd = new EmbeddedEtcd({
    dataDir: files.dataDir,
    logFile: files.logFile,
    clientPort: saved?.clientPort,
    peerPort: saved?.peerPort,
    name: saved?.name,
    advertiseHost: config.advertiseAddr,
    forceNewCluster: config.forceNewCluster,
    log,
  });
  await etcd.start();
  await writeFile(
    files.memberFile,
    JSON.stringify({ clientPort: etcd.clientPort, peerPort: etcd.peerPort, name: saved?.name }),
  );
  return etcd;
}

/** Client URLs of the other members of the embedded etcd's cluster (none when it is alone). */
async function otherMembers(
  etcd: EmbeddedEtcd,
  tls: Partial<IOptions>,
  log: ReturnType<typeof createLogger>,
): Promise<string[]> {
  const probe = new Etcd3({ hosts: [etcd.endpoint], dialTimeout: 5000, ...tls });
  try {
    const res = await probe.cluster.memberList({});
    const own = new Set([etcd.endpoint, etcd.advertisedClientUrl]);
    return res.members.flatMap((m) => m.clientURLs).filter((u) => !own.has(u));
  } catch (err) {
    log.warn({ err }, 'could not list the etcd members; using this member only');
    return [];
  } finally {
    probe.close();
  }
}

/** An external etcd reached without TLS and client certificates is open to whoever reaches it. */
function warnPlainEtcd(
  endpoints: string[],
  c: ManagerSettings,
  log: ReturnType<typeof createLogger>,
): void {
  const plain = endpoints.filter((e) => e.startsWith('http://'));
  if (plain.length > 0)
    log.warn(
      { endpoints: plain },
      'etcd is reached over plain http: anyone who can connect to it can take over the cluster',
    );
  else if (!c.etcdCert)
    log.warn({ endpoints }, 'etcd is reached without a client certificate (--etcd-cert)');
}

function etcdTls(c: ManagerSettings): Partial<IOptions> {
  if (!c.etcdCacert) return {};
  return {
    credentials: {
      rootCertificate: readFileSync(c.etcdCacert),
      ...(c.etcdCert ? { certChain: readFileSync(c.etcdCert) } : {}),
      ...(c.etcdKey ? { privateKey: readFileSync(c.etcdKey) } : {}),
    },
  };
}
