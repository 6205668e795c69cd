// The Docker Engine API beside Flotilla's own routes: rewrite.ts sends versioned paths either to
// the shared routes (same body) or to these translators (Docker's body), see docs/design/engine-api.md.
import type { FastifyInstance } from 'fastify';
import type { AgentComponents } from '../../components.js';
import { dockerContainerRoutes } from './containers.js';
import { dockerHijackRoutes } from './hijack.js';
import { dockerImageRoutes } from './images.js';
import { dockerNetworkRoutes } from './networks.js';
import { dockerSystemRoutes } from './system.js';

export { rewriteDockerUrl } from './rewrite.js';
export { sendError, statusFor } from './errors.js';
export { requestedVersion } from './rewrite.js';
export { updateFromDockerBody } from './update-body.js';
export { isSet, refuse } from './body-fields.js';

/** A route plugin (agent/api/server.ts RoutePlugin; not imported: server.ts imports this). */
export function dockerRoutes(c: AgentComponents): (app: FastifyInstance) => void {
  return (app: FastifyInstance) => {
    dockerSystemRoutes(app, c);
    dockerContainerRoutes(app, c.containers, c.images);
    dockerHijackRoutes(app, c.containers);
    dockerImageRoutes(app, c.images);
    dockerNetworkRoutes(app, c.networks, c.containers);
  };
}
