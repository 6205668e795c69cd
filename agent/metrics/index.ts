// The agent's Prometheus metrics (served by shared/metrics' MetricsServer on --metrics-addr).
export { AgentMetrics } from './agent-metrics.js';
