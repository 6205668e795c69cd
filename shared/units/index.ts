export { parseDurationNs, parseDurationMs, formatDurationNs } from './duration.js';
export { parseBytes, formatBytes } from './bytes.js';
