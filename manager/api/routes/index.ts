// Every route group of the manager API; one line per group.
import type { FastifyInstance } from 'fastify';
import type { ApiDeps } from '../context.js';
import { certificateRoutes } from './certificates.js';
import { clusterRoutes } from './cluster.js';
import { eventRoutes } from './events.js';
import { networkRoutes } from './networks.js';
import { nodeRoutes } from './nodes.js';
import { rollbackRoutes } from './rollback.js';
import { configRoutes, secretRoutes } from './secrets.js';
import { securityRoutes } from './security.js';
import { nodeContainerLogRoutes, serviceLogRoutes } from './service-logs.js';
import { serviceRoutes } from './services.js';
import { stackRoutes } from './stacks.js';
import { taskRoutes } from './tasks.js';

export function registerRoutes(app: FastifyInstance, d: ApiDeps): void {
  clusterRoutes(app, d);
  certificateRoutes(app, d);
  nodeRoutes(app, d);
  networkRoutes(app, d);
  serviceRoutes(app, d);
  taskRoutes(app, d);
  rollbackRoutes(app, d);
  stackRoutes(app, d);
  serviceLogRoutes(app, d);
  nodeContainerLogRoutes(app, d);
  securityRoutes(app, d);
  eventRoutes(app, d);
  secretRoutes(app, d);
  configRoutes(app, d);
}

export { serviceStatus } from './services.js';
export type { ServiceLogRecord } from './service-logs.js';
export { serveServiceLogs } from './service-logs.js';
