// The hooks every task runs through, in order. Pull first: it fails most often and leaves nothing
// to clean up. Network before create: the runtime needs the network mode and port bindings at
// create time. Mesh after start (the runtime attaches the network when it starts the container): it
// adds an interface to the container's namespace, as `network connect` does. Health last: it
// watches a container that has started. Secrets just before create: their tmpfs is made only
// once everything that fails more often has passed.
import { createHook } from './create.js';
import { healthHook } from './health.js';
import { meshHook, networkHook } from './network.js';
import { pullHook } from './pull.js';
import { secretsHook } from './secrets.js';
import { startHook } from './start.js';
import type { TaskHook } from '../types.js';

export { meshNetwork } from './network.js';

export const defaultHooks: readonly TaskHook[] = [
  pullHook,
  networkHook,
  secretsHook,
  createHook,
  startHook,
  meshHook,
  healthHook,
];
