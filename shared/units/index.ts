export { parseDurationNs, parseDurationMs, formatDurationNs } from './duration.js';
export { parseBytes, formatBytes, formatBinaryBytes } from './bytes.js';
