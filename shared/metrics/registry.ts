// One Prometheus registry per process role (manager or agent): prom-client's process metrics plus
// whatever the role's components register. Components take the registry from their deps and
// register their own metrics, so a process that runs two managers (tests) keeps them apart.
import { collectDefaultMetrics, Registry } from 'prom-client';

export type MetricsRegistry = Registry;

/** A registry with the process metrics (CPU, memory, event loop lag, handles) of this process. */
export function createMetricsRegistry(proc: 'manager' | 'agent'): MetricsRegistry {
  const registry = new Registry();
  registry.setDefaultLabels({ proc });
  collectDefaultMetrics({ register: registry, prefix: 'flotilla_' });
  return registry;
}

/** Buckets for durations from a millisecond to a minute, in seconds. */
export const durationBuckets = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
];
