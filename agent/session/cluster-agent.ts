// Cluster membership for agent/main.ts: joins on the first start with --join/--token (or reuses
// the node certificate under <dataRoot>/node/), then runs the executor and the session. Returns
// undefined for a standalone agent (never joined), which then serves its local API only.
import type { Logger } from '../../shared/log/index.js';
import {
  Executor,
  Reporter,
  type ImagePuller,
  type NetworkProvisioner,
} from '../executor/index.js';
import type {
  ClusterAttachmentsLink,
  ContainerEngine,
  ContainerRuntime,
} from '../runtime/index.js';
import { SessionClient } from './client.js';
import { ManagerAttachments } from './manager-attachments.js';
import { PendingDetaches } from './pending-detaches.js';
import { describeNode } from './description.js';
import { identityDir, loadIdentity, saveIdentity, saveManagers } from './identity.js';
import { joinCluster } from './join.js';
import type { LogSource } from './log-streams.js';
import { NodeNetworkSync, type NodeNetwork } from './node-network.js';
import { CertificateRenewal } from './renewal.js';
import { FlotillaError } from '../../shared/errors/index.js';
import { isExpired, tryCertificateValidity } from '../../shared/tls/index.js';
import { join } from 'node:path';
import { HeldPullAuth, HeldSecrets, TaskFiles } from '../secrets/index.js';

/** How often detaches that no manager answered are sent again. */
const detachRetryMs = 30_000;

export interface ClusterAgentOptions {
  config: {
    dataRoot: string;
    join: string;
    token: string;
    hostname: string;
    advertiseAddr: string;
    /** --node-subnet as given (empty: the manager hands one out). */
    nodeSubnet?: string;
    /** Where task secrets get their tmpfs (<exec-root>/secrets/<taskId>). */
    execRoot?: string;
  };
  log: Logger;
  engine: ContainerEngine & { logs?: ContainerRuntime['logs'] };
  images?: ImagePuller;
  /** Node subnet, routes to other nodes and the routing mesh, as the manager sends them. */
  nodeNetwork?: NodeNetwork;
  /** Task networks for the executor (stack networks, the routing mesh's interface). */
  networks?: NetworkProvisioner;
  /** Connected to the managers once joined: `run --network` on a cluster overlay. */
  clusterAttachments?: ClusterAttachmentsLink;
}

export async function startClusterAgent(
  opts: ClusterAgentOptions,
): Promise<{ start(): Promise<void>; stop(): Promise<void>; sessionState(): string } | undefined> {
  const { config, log } = opts;
  let identity = await loadIdentity(config.dataRoot);
  const certFile = join(identityDir(config.dataRoot), 'cert.pem');
  if (identity) {
    // A certificate that expired while the node was away cannot be renewed: only a token helps.
    // An unreadable certificate is left to the TLS handshake to refuse.
    const notAfter = tryCertificateValidity(identity.certPem)?.notAfter;
    if (notAfter && isExpired({ notAfter }, Date.now())) {
      const err = new FlotillaError('NODE_CERTIFICATE_EXPIRED', {
        file: certFile,
        notAfter: notAfter.toISOString(),
      });
      if (!config.join || !config.token) throw err;
      log.warn(
        { err, nodeId: identity.nodeId },
        'node certificate expired, rejoining with the token',
      );
      identity = undefined;
    }
  }
  if (!identity && config.join && config.token) {
    identity = await joinCluster({
      address: config.join,
      token: config.token,
      hostname: describeNode({ hostname: config.hostname }).hostname,
    });
    await saveIdentity(config.dataRoot, identity);
    log.info({ nodeId: identity.nodeId, manager: config.join }, 'joined the cluster');
  } else if (identity && config.join && !identity.managers.includes(config.join)) {
    identity.managers = [config.join, ...identity.managers];
  }
  if (!identity) return undefined;
  const id = identity;
  // Detaches no manager answered are kept on disk and sent again (at start, then every 30 s).
  const attachments = new PendingDetaches(
    new ManagerAttachments(id),
    identityDir(config.dataRoot),
    log,
  );
  opts.clusterAttachments?.connect(attachments);
  let detachRetry: NodeJS.Timeout | undefined;
  const reporter = new Reporter();
  const held = new HeldSecrets();
  const files = config.execRoot
    ? new TaskFiles({ execRoot: config.execRoot, held, log })
    : undefined;
  const executor = new Executor({
    files,
    engine: opts.engine,
    images: opts.images,
    pullAuth: new HeldPullAuth(held),
    networks: opts.networks,
    log,
    report: reporter.report,
    nodeId: id.nodeId,
  });
  const engine = opts.engine;
  const logs: LogSource | undefined = engine.logs
    ? (containerId, o) => engine.logs!(containerId, o)
    : undefined;
  const hostname = describeNode({ hostname: config.hostname }).hostname;
  const renewal = new CertificateRenewal({
    identity: id,
    dir: identityDir(config.dataRoot),
    hostname,
    log,
  });
  const session = new SessionClient({
    renewal,
    certFile,
    network: new NodeNetworkSync({
      network: opts.nodeNetwork,
      explicitSubnet: config.nodeSubnet,
      log,
    }),
    logs,
    secrets: held,
    identity: id,
    description: () =>
      describeNode({ hostname: config.hostname, advertiseAddr: config.advertiseAddr }),
    executor,
    reporter,
    log,
    onManagers: () =>
      void saveManagers(config.dataRoot, id).catch((err) =>
        log.warn({ err }, 'saving the manager list failed'),
      ),
  });
  return {
    async start() {
      await executor.start();
      renewal.start();
      await session.start();
      if (opts.clusterAttachments) {
        void attachments.retry();
        detachRetry = setInterval(() => void attachments.retry(), detachRetryMs);
      }
    },
    sessionState: () => session.state,
    // Containers keep running: a restarted agent adopts them (labels name their tasks).
    async stop() {
      clearInterval(detachRetry);
      await session.stop();
      renewal.stop();
      await executor.stop();
      reporter.stop();
    },
  };
}
