// The manager's Prometheus metrics (served by shared/metrics' MetricsServer on --metrics-addr).
export { ManagerMetrics } from './manager-metrics.js';
export type { ManagerMetricsDeps, TxnOutcome } from './manager-metrics.js';
