// The agent API's route groups. Each group is a plugin built from the components it needs.
import type { RoutePlugin } from '../server.js';
import type { AgentComponents } from '../../components.js';
import { imageRoutes } from './images.js';
import { containerRoutes } from './containers.js';
import { volumeRoutes } from './volumes.js';
import { eventRoutes } from './events.js';
import { networkRoutes } from './networks.js';
import { buildRoutes } from './build.js';
import { filesystemRoutes } from './filesystem.js';
import { archiveRoutes } from './archive.js';
import { dockerRoutes } from '../docker/index.js';
import { systemDfRoutes } from './system-df.js';

export function agentRoutes(c: AgentComponents): RoutePlugin[] {
  return [
    networkRoutes(c.networks),
    containerRoutes(c.containers, c.images),
    eventRoutes(c.events),
    volumeRoutes(c.containers),
    imageRoutes(c.images),
    buildRoutes(c),
    filesystemRoutes(c.containers),
    archiveRoutes(c.containers),
    systemDfRoutes(c.containers, c.images),
    dockerRoutes(c),
  ];
}
