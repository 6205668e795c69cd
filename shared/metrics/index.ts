// Prometheus metrics: a registry per process and the plain-HTTP /metrics server.
export { createMetricsRegistry, durationBuckets } from './registry.js';
export type { MetricsRegistry } from './registry.js';
export { MetricsServer } from './server.js';
export type { MetricsServerDeps } from './server.js';
