// Wires the agent: builds each component, starts them in order, stops them in reverse on SIGINT/SIGTERM.
import { createLogger } from '../shared/log/index.js';
import { FlotillaError } from '../shared/errors/index.js';
import { agentConfig, type AgentFlagSettings } from './config.js';
import { secureAgentRoots } from './data-root.js';
import { AgentApiServer } from './api/server.js';
import { agentRoutes } from './api/routes/index.js';
import type { AgentComponents } from './components.js';
import { startClusterAgent } from './session/index.js';
import { buildRuntime } from './runtime/index.js';
import { buildImageService } from './image/index.js';
import { NetworkManager, defaultNodeSubnet } from './network/index.js';

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

  // Without --node-subnet a standalone agent uses 10.240.0.0/24 (docs/design/network.md).
  const network = new NetworkManager({
    dataRoot: config.dataRoot,
    nodeSubnet: config.nodeSubnet || defaultNodeSubnet,
    preferStoredSubnet: !config.nodeSubnet,
    log,
  });
  // Images under <dataRoot>/image/; an image a container uses (any state) is never deleted.
  const image = buildImageService({
    config,
    log,
    isImageInUse: async (imageId) =>
      (await runtime.engine.list({ all: true })).some((c) => c.imageId === imageId),
  });
  const runtime = buildRuntime({ config, log, network, image });
  const components: AgentComponents = {
    config,
    log,
    network,
    containers: runtime.engine,
    images: image.service,
    imageWiring: image,
  };
  const started: Startable[] = [];
  const api = new AgentApiServer({
    socketPath: config.socketPath,
    log,
    routes: agentRoutes(components),
  });
  // Settings refused before any part starts: no bridge, chain or socket is left behind.
  runtime.engine.checkDefaultRuntime();
  for (const part of [image, network, runtime, api] as Startable[]) {
    await part.start();
    started.push(part);
  }
  // Cluster membership (--join/--token, or a stored node certificate): executor + manager session.
  const cluster = await startClusterAgent({
    config,
    log,
    engine: runtime.engine,
    images: image.service,
    network,
  });
  if (cluster) {
    await cluster.start();
    started.push(cluster);
  }
  log.info({ socket: config.socketPath, dataRoot: config.dataRoot }, 'agent started');

  const stop = async (signal: string) => {
    log.info({ signal }, 'agent stopping');
    for (const part of started.reverse())
      await part.stop().catch((err) => log.warn({ err }, 'stop failed'));
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}
