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
import type { ContainerEngine, ContainerRuntime } from '../runtime/index.js';
import { SessionClient } from './client.js';
import { describeNode } from './description.js';
import { loadIdentity, saveIdentity, saveManagers } from './identity.js';
import { joinCluster } from './join.js';
import type { LogSource } from './log-streams.js';
import { NodeNetworkSync, type NodeNetwork } from './node-network.js';

export interface ClusterAgentOptions {
  config: {
    dataRoot: string;
    join: string;
    token: string;
    hostname: string;
    advertiseAddr: string;
    /** --node-subnet as given (empty: the manager hands one out). */
    nodeSubnet?: string;
  };
  log: Logger;
  engine: ContainerEngine & { logs?: ContainerRuntime['logs'] };
  images?: ImagePuller;
  /** The network component: node subnet and routes to other nodes come from the manager. */
  network?: NodeNetwork & NetworkProvisioner;
}

export async function startClusterAgent(
  opts: ClusterAgentOptions,
): Promise<{ start(): Promise<void>; stop(): Promise<void> } | undefined> {
  const { config, log } = opts;
  let identity = await loadIdentity(config.dataRoot);
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
  const reporter = new Reporter();
  const executor = new Executor({
    engine: opts.engine,
    images: opts.images,
    networks: opts.network,
    log,
    report: reporter.report,
    nodeId: id.nodeId,
  });
  const engine = opts.engine;
  const logs: LogSource | undefined = engine.logs
    ? (containerId, o) => engine.logs!(containerId, o)
    : undefined;
  const session = new SessionClient({
    network: new NodeNetworkSync({
      network: opts.network,
      explicitSubnet: config.nodeSubnet,
      log,
    }),
    logs,
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
      await session.start();
    },
    // Containers keep running: a restarted agent adopts them (labels name their tasks).
    async stop() {
      await session.stop();
      await executor.stop();
      reporter.stop();
    },
  };
}
