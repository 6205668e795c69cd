// The cluster's moving parts as a ManagerPart (manager/parts.ts): the dispatcher runs on every
// manager; the orchestrator, scheduler, updater and node watcher run only on the leader. Cluster
// settings (heartbeat period, node-down grace, task history) come from the cluster object.
import { bundleDigests, publicKeyDigest } from '../shared/tls/index.js';
import { ForwardedLogs } from './api/index.js';
import type { ManagerPart, Startable } from './components.js';
import { ManagerDirectory } from './directory.js';
import { Dispatcher, HeartbeatExchange } from './dispatcher/index.js';
import { KeyRotation, NetworkReaper, openKeys } from './networks/index.js';
import { filePayload } from './secrets/index.js';
import { NodeWatcher } from './nodes/index.js';
import { Orchestrator } from './orchestrator/index.js';
import { Scheduler } from './scheduler/index.js';
import { Updater } from './update/index.js';

const nsToMs = (ns: number | undefined, fallbackMs: number) =>
  ns && ns > 0 ? Math.round(ns / 1e6) : fallbackMs;

export const clusterPart: ManagerPart = (c) => {
  const clock = { now: () => c.clock.now().getTime() };
  const settings = c.ca.cluster;
  const log = c.log;
  // Agents fail over to the managers they were told about: keep them told.
  const directory = new ManagerDirectory({
    self: c.config.grpcAddr,
    list: () => c.leader.managers(),
    log,
  });
  const dispatcher = new Dispatcher({
    store: c.store,
    log,
    clock,
    tls: c.tls,
    listen: c.config.listenGrpc,
    isRevoked: (nodeId) => c.ca.isRevoked(nodeId),
    heartbeatPeriodMs: nsToMs(settings.heartbeatPeriodNs, 5000),
    managers: () => directory.addrs(),
    addressPool: () => c.ca.cluster.addressPool,
    certificates: {
      issue: (nodeId, role, csrPem) => c.ca.issueNodeCertificate(csrPem, role, nodeId),
      signingKeyDigest: () => publicKeyDigest(c.ca.caCertPem),
      trust: () => ({ digests: bundleDigests(c.ca.trustBundlePem), pem: c.ca.trustBundlePem }),
      onChange: (listener) => c.ca.onChange(() => listener()),
    },
    ...(c.certificate ? { onTlsChange: (l) => c.certificate!.onChange(l) } : {}),
    onHeartbeatGap: c.metrics?.onHeartbeatGap,
    overlayKeys: (n) => openKeys(n, c.ca.secretsKey('overlay-keys')),
    payloads: (kind, id) => filePayload(c.store, c.secretsKey, kind, id),
  });
  if (c.metrics) c.metrics.sessions = () => dispatcher.sessionCount;
  directory.onChange((addrs) => dispatcher.broadcastManagers(addrs));
  // With several managers the leader must see heartbeats of sessions held by the others.
  const heartbeats = c.etcd
    ? new HeartbeatExchange({
        client: c.etcd,
        managerId: c.managerId,
        log,
        clock,
        local: dispatcher,
        heartbeatPeriodMs: nsToMs(settings.heartbeatPeriodNs, 5000),
      })
    : undefined;
  // Logs of nodes whose session another manager holds are fetched from that manager.
  if (c.nodeLogs)
    c.nodeLogs.source = heartbeats
      ? new ForwardedLogs({
          local: dispatcher,
          holderOf: (nodeId) => heartbeats.sessionHolder(nodeId),
          managers: () => c.leader.managers(),
          tls: c.tls,
          selfId: c.managerId,
        })
      : dispatcher;
  const onPass = c.metrics?.onPass;
  const scheduler = new Scheduler({ store: c.store, log, clock, onPass });
  const leader: Startable[] = [
    new Orchestrator({
      store: c.store,
      log,
      clock,
      taskHistoryLimit: settings.taskHistoryLimit || 5,
      // New tasks are written once, already placed by the scheduler's planner (one etcd write
      // per task instead of two); pending tasks and node changes stay the scheduler's own passes.
      placement: scheduler,
      onPass,
    }),
    scheduler,
    new Updater({ store: c.store, log, clock, onPass }),
    new NodeWatcher({
      store: c.store,
      log,
      clock,
      heartbeats: heartbeats ?? dispatcher,
      gracePeriodMs: nsToMs(settings.nodeDownGraceNs, 10_000),
    }),
    new KeyRotation({
      store: c.store,
      log,
      clock,
      sealingKey: () => c.ca.secretsKey('overlay-keys'),
      rotateMs: c.config.overlayKeyRotationMs,
    }),
    new NetworkReaper({ store: c.store, log }),
  ];
  // A revocation (node rm, admin rm, a removed manager) cuts the revoked node's session at once.
  let offCluster: (() => void) | undefined;
  const revocations: Startable = {
    start: async () => {
      offCluster = c.store.onCluster(() => dispatcher.closeRevokedSessions());
    },
    stop: async () => offCluster?.(),
  };
  const always: Startable[] = [directory, dispatcher, revocations];
  if (heartbeats) always.push(heartbeats);
  return { always, leader };
};
