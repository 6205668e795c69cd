// Wires the agent: builds each component, starts them in order, stops them in reverse on SIGINT/SIGTERM.
import { createLogger } from '../shared/log/index.js';
import { FlotillaError } from '../shared/errors/index.js';
import { agentConfig, type AgentFlagSettings } from './config.js';
import { secureAgentRoots } from './data-root.js';
import { AgentApiServer } from './api/server.js';
import { agentRoutes } from './api/routes/index.js';
import type { AgentComponents } from './components.js';
import { describeNode, startClusterAgent } from './session/index.js';
import { buildRuntime, ClusterAttachmentsLink } from './runtime/index.js';
import { buildImageService } from './image/index.js';
import { EngineEventLog, withImageEvents, withNetworkEvents } from './events/index.js';
import { NetworkComponent, defaultNodeSubnet } from './network/index.js';
import { AgentMetrics } from './metrics/index.js';
import { createMetricsRegistry, MetricsServer } from '../shared/metrics/index.js';
import { claimSocketPath, lockAgentRoots } from './instance-guard.js';

interface Startable {
  start(): Promise<void>;
  stop(): Promise<void>;
}

export async function runAgent(flags: Partial<AgentFlagSettings>): Promise<void> {
  if (process.getuid?.() !== 0) throw new FlotillaError('NOT_ROOT', { what: 'flotilla agent' });
  const config = agentConfig(flags);
  const log = createLogger({ proc: 'agent' });
  // 0710 roots, 0700 directories below them, tightened at every start (docs/design/agent-files.md).
  await secureAgentRoots(config);
  // Before anything is made: refused while another agent runs on either root or answers on the
  // socket. The locks are the kernel's and go with this process (docs/decisions/0002).
  const locks = await lockAgentRoots(config);
  await claimSocketPath(config.socketPath);

  // Without --node-subnet a standalone agent uses 10.240.0.0/24 (docs/design/network.md).
  const network = new NetworkComponent({
    dataRoot: config.dataRoot,
    nodeSubnet: config.nodeSubnet || defaultNodeSubnet,
    preferStoredSubnet: !config.nodeSubnet,
    // The address the manager tells other nodes to send this node's VXLAN traffic to.
    underlayAddr: describeNode({ advertiseAddr: config.advertiseAddr }).addr,
    log,
  });
  // Images under <dataRoot>/image/; an image a container uses (any state) is never deleted.
  const image = buildImageService({
    config,
    log,
    containerUsingImage: async (imageId) =>
      (await runtime.engine.list({ all: true })).find((c) => c.imageId === imageId)?.id,
  });
  // Connected to the manager once the agent is joined (standalone containers on cluster overlays).
  const clusterAttachments = new ClusterAttachmentsLink();
  const runtime = buildRuntime({
    config,
    log,
    network: network.attachments,
    image,
    clusterAttachments,
  });
  const metrics = config.metricsAddr
    ? new AgentMetrics(createMetricsRegistry('agent'), runtime.engine)
    : undefined;
  // With metrics, the API and the executor use the same engine and images, timed.
  const containers = metrics ? metrics.instrumentRuntime(runtime.engine) : runtime.engine;
  // Docker's event stream: containers, volumes and container networks from the runtime; images
  // and the network API through their event wrappers (agent/events).
  const events = new EngineEventLog({
    clock: { now: () => Date.now() },
    networkOf: (name) => {
      const n = network.local.listNetworks().find((x) => x.name === name);
      return n && { id: n.id, driver: n.driver };
    },
  });
  runtime.engine.subscribe((e) => events.container(e));
  runtime.engine.subscribeObjects((e) => events.object(e));
  const images = withImageEvents(
    metrics ? metrics.instrumentImages(image.service) : image.service,
    (e) => events.object(e),
  );
  const components: AgentComponents = {
    config,
    log,
    events,
    networks: withNetworkEvents(network.local, (e) => events.object(e)),
    attacher: network.attachments,
    containers,
    images,
    imageWiring: image,
  };
  const started: Startable[] = [];
  /** Stops what started, newest first, and frees the roots: an agent that refuses leaves nothing. */
  const undo = async () => {
    for (const part of started.reverse()) await part.stop().catch(() => {});
    for (const l of locks) await l.release();
  };
  const api = new AgentApiServer({
    socketPath: config.socketPath,
    log,
    routes: agentRoutes(components),
  });
  try {
    // Settings refused before any part starts: no bridge, chain or socket is left behind.
    runtime.engine.checkDefaultRuntime();
    for (const part of [image, network, runtime, api] as Startable[]) {
      await part.start();
      started.push(part);
    }
  } catch (err) {
    // A part refused to start (a node subnet routed elsewhere …): undo the others, free the roots.
    await undo();
    throw err;
  }
  if (metrics) {
    const unsubscribe = runtime.engine.subscribeHealthChecks(metrics.onHealthCheck);
    const server = new MetricsServer({
      registry: metrics.registry,
      listen: config.metricsAddr,
      log,
    });
    await server.start();
    started.push({
      start: async () => undefined,
      stop: async () => (unsubscribe(), server.stop()),
    });
  }
  // Cluster membership (--join/--token, or a stored node certificate): executor + manager session.
  try {
    const cluster = await startClusterAgent({
      config,
      log,
      engine: containers,
      images,
      nodeNetwork: network.cluster,
      networks: network.provisioning,
      clusterAttachments,
    });
    if (cluster && metrics) metrics.sessionState = cluster.sessionState;
    if (cluster) {
      await cluster.start();
      started.push(cluster);
    }
  } catch (err) {
    // Refused membership (an expired node certificate, a bad token …): the agent exits with the
    // error instead of serving on as if it were in the cluster; its parts are stopped first.
    await undo();
    throw err;
  }
  log.info({ socket: config.socketPath, dataRoot: config.dataRoot }, 'agent started');

  const stop = async (signal: string) => {
    log.info({ signal }, 'agent stopping');
    for (const part of started.reverse())
      await part.stop().catch((err) => log.warn({ err }, 'stop failed'));
    for (const l of locks) await l.release();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}
