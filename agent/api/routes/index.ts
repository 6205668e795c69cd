// The agent API's route groups. Each group is a plugin built from the components it needs.
import type { RoutePlugin } from '../server.js';
import type { AgentComponents } from '../../components.js';

export function agentRoutes(_c: AgentComponents): RoutePlugin[] {
  return [];
}
