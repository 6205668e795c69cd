// Swarm's defaults for a service spec (moby/swarmkit api/defaults), shared by `service create`, the
// stack converter and the updater: replicas 1, restart any/5s/0/0, update 1/0s/pause/5s/stop-first.
import type { RestartPolicy, ServiceSpec, UpdateConfig } from './service.js';

export const defaultRestartPolicy: RestartPolicy = {
  condition: 'any',
  delayNs: 5e9,
  maxAttempts: 0,
  windowNs: 0,
};

export const defaultUpdateConfig: UpdateConfig = {
  parallelism: 1,
  delayNs: 0,
  failureAction: 'pause',
  monitorNs: 5e9,
  maxFailureRatio: 0,
  order: 'stop-first',
};

/** A complete spec with every default filled; callers override what the user gave. */
export function defaultServiceSpec(name: string, image: string): ServiceSpec {
  return {
    name,
    labels: {},
    mode: { replicated: { replicas: 1 } },
    taskTemplate: {
      containerSpec: { image, env: [], labels: {}, mounts: [] },
      resources: { limits: {}, reservations: {} },
      restartPolicy: { ...defaultRestartPolicy },
      placement: { constraints: [], preferences: [], maxReplicasPerNode: 0 },
      networks: [],
      forceUpdate: 0,
    },
    updateConfig: { ...defaultUpdateConfig },
    rollbackConfig: { ...defaultUpdateConfig },
    endpointSpec: { mode: 'vip', ports: [] },
  };
}
